namespace EdgeGateway.Simulators.Gps;

/// <summary>One satellite as reported in GSV: PRN, elevation and azimuth in degrees, SNR in dB-Hz (0 = not tracked).</summary>
internal readonly record struct SatelliteInView(int Prn, int ElevationDegrees, int AzimuthDegrees, int SnrDbHz);
