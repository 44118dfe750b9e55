namespace EdgeGateway.Simulators.Gps;

/// <summary>What one produced unit contained: how many sentences and how many position fixes.</summary>
internal readonly record struct GpsOutputUnit(int Sentences, int Fixes);
