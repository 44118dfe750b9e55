using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeGateway.Contracts;
using EdgeGateway.Hosting;

namespace EdgeGateway.Updates;

/// <summary>
/// The side-by-side install: <c>releases/A</c> and <c>releases/B</c> (each a whole release with its
/// <c>manifest.json</c>), <c>current</c> (a symbolic link to one of them, switched atomically by rename) and
/// <c>update-state.json</c>. The data directory (outbox, evidence, keys) is never under the install root, so
/// installing, committing and rolling back never touch buffered data.
/// </summary>
internal sealed partial class InstallLayout(string root)
{
    private static readonly JsonSerializerOptions Json = GatewayJson.With(new(JsonSerializerDefaults.Web));

    public string Root { get; } = Path.GetFullPath(root);

    public string StatePath => Path.Combine(Root, "update-state.json");

    public string CurrentLink => Path.Combine(Root, "current");

    public string SlotDirectory(string slot) => Path.Combine(Root, "releases", slot);

    public static string OtherSlot(string slot) => slot == "A" ? "B" : "A";

    public UpdateState? ReadState() => UpdateState.Read(StatePath);

    /// <summary>Points <c>current</c> at <paramref name="slot"/>: a new link beside it, renamed over it (atomic).</summary>
    public void SwitchTo(string slot)
    {
        var temp = CurrentLink + ".new";
        File.Delete(temp);
        File.CreateSymbolicLink(temp, Path.Combine("releases", slot));
        // rename(2) itself: File.Move follows a link to a directory and refuses it as "not a file".
        if (Rename(temp, CurrentLink) != 0)
        {
            throw new IOException($"cannot switch {CurrentLink} to releases/{slot}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);

    /// <summary>The release manifest of <paramref name="directory"/>.</summary>
    public static ReleaseManifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, ReleaseManifest.FileName);
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), Json.Info<ReleaseManifest>()) is { Version.Length: > 0, Entry.Length: > 0 } manifest
                && !Path.IsPathRooted(manifest.Entry) && !manifest.Entry.Contains("..", StringComparison.Ordinal)
                ? manifest
                : throw new UpdateRefusedException($"{path} needs a version and a relative entry program.");
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new UpdateRefusedException($"{path} cannot be read: {e.Message}");
        }
    }
}

/// <summary><c>manifest.json</c> at the top of a package: its version and the program the supervisor starts.</summary>
/// <param name="Version">The release's version.</param>
/// <param name="Entry">The program to start, relative to the release directory (e.g. <c>EdgeGateway</c>).</param>
internal sealed record ReleaseManifest(string Version, string Entry)
{
    public const string FileName = "manifest.json";
}
