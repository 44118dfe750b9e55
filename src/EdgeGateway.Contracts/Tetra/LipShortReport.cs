namespace EdgeGateway.Contracts.Tetra;

/// <summary>
/// A LIP short location report (ETSI TS 100 392-18-1 clause 6.2.1) in its coded form: what the 76 bits
/// after the protocol identifier carry. Coordinates are WGS84 degrees as the codec rounds them.
/// </summary>
/// <param name="TimeElapsed">0: &lt;5 s, 1: &lt;5 min, 2: &lt;30 min, 3: not known/not applicable.</param>
/// <param name="Longitude">Degrees, east positive; 25-bit two's complement, 360/2^25 degree steps.</param>
/// <param name="Latitude">Degrees, north positive; 24-bit two's complement, 180/2^24 degree steps.</param>
/// <param name="PositionError">0: &lt;2 m, 1: &lt;20 m, 2: &lt;200 m, 3: &lt;2 km, 4: &lt;20 km, 5: ≤200 km, 6: &gt;200 km, 7: unknown.</param>
/// <param name="HorizontalVelocity">Coded velocity 0-127 (see <see cref="LipCodec.VelocityKmh"/>); 127 unknown.</param>
/// <param name="DirectionOfTravel">0-15, in 22.5 degree steps from north.</param>
/// <param name="AdditionalDataIsUserDefined">false: <paramref name="AdditionalData"/> is the reason for sending.</param>
/// <param name="AdditionalData">Reason for sending or user-defined data (8 bits).</param>
public sealed record LipShortReport(
    int TimeElapsed,
    double Longitude,
    double Latitude,
    int PositionError,
    int HorizontalVelocity,
    int DirectionOfTravel,
    bool AdditionalDataIsUserDefined,
    int AdditionalData);
