namespace EdgeGateway.Simulators.Dock;

/// <summary>A recording a simulated camera holds: a short real clip, or a big one when <paramref name="Size"/> exceeds the clip.</summary>
/// <param name="FileName">Path on the camera's volume (<c>VID0001.mp4</c>, <c>CLIP.MOV</c>, any case; <c>DCIM/100BWV/VID0001.mp4</c> in a folder).</param>
/// <param name="Size">Exact size in bytes; 0 = the clip as it is (made unique by a small trailing box).</param>
/// <param name="Trigger">What started the recording (manual, emergency, taser...).</param>
/// <param name="Category">Officer-assigned category, if any (critical ones are offloaded first).</param>
/// <param name="Start">Recording start (UTC).</param>
/// <param name="Duration">Recording length.</param>
/// <param name="Sidecar">The sidecar the camera writes beside it (or the fault in it).</param>
internal sealed record SimulatedRecording(string FileName, long Size, string Trigger, string? Category, DateTimeOffset Start, TimeSpan Duration, SimulatedSidecar Sidecar = SimulatedSidecar.Valid);
