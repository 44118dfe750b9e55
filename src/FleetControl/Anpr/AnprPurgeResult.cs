namespace FleetControl.Anpr;

/// <summary>What one retention purge removed.</summary>
internal readonly record struct AnprPurgeResult(int Reads, int Images, int Hits)
{
    public int Total => Reads + Images + Hits;
}
