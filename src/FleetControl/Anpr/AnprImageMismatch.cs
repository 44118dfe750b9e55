using EdgeGateway.Contracts.V1;

namespace FleetControl.Anpr;

/// <summary>An image whose bytes do not hash to the SHA-256 taken at capture (kept and flagged).</summary>
/// <param name="DeviceId">The vehicle that sent it.</param>
/// <param name="Image">The image as received.</param>
/// <param name="Actual">The hex SHA-256 of the bytes received.</param>
internal sealed record AnprImageMismatch(string DeviceId, AnprImage Image, string Actual);
