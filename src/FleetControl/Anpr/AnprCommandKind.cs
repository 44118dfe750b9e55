namespace FleetControl.Anpr;

/// <summary>The command kind name of hotlist updates (as <see cref="Commands.CommandKinds"/> names the others).</summary>
internal static class AnprCommandKind
{
    public const string HotlistUpdate = "hotlist-update";
}
