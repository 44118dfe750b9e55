namespace FleetControl.Anpr;

/// <summary>An image of a read: the SHA-256 taken at capture and whether FleetControl holds a byte-identical copy.</summary>
/// <param name="Kind">"plate" or "overview".</param>
/// <param name="Sha256">Hex SHA-256 taken by the gateway at capture.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Stored">"verified" (held, hash matches), "mismatch" (held, hash differs: flagged) or "pending" (not arrived yet).</param>
internal sealed record AnprImageRecord(string Kind, string Sha256, ulong Size, string Stored);
