namespace EdgeGateway.Devices.Bwv;

/// <summary>A file (or folder) on a docked camera that the dock will not take, with why; reported per bay, never ignored.</summary>
/// <param name="Name">Name inside the bay.</param>
/// <param name="Reason">Why it is not taken: unknown type, unreadable, directory, sidecar without recording.</param>
/// <param name="Size">Size in bytes (0 for a directory or when it could not be read).</param>
internal sealed record NotAcceptedFile(string Name, string Reason, long Size)
{
    /// <summary>The reason given, in the dock's report only, for a recording not yet taken because its size or time still changes.</summary>
    public const string StillBeingWritten = "still being written (taken once it settles)";
}
