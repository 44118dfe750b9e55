using System.Text.Json;
using EdgeGateway.Contracts;
using EdgeGateway.Hosting;

namespace EdgeGateway.Updates;

/// <summary>An installed version waiting to prove its health.</summary>
/// <param name="Version">The candidate's version.</param>
/// <param name="Slot">Its slot (A or B).</param>
/// <param name="PreviousVersion">The version to roll back to.</param>
/// <param name="PreviousSlot">Its slot.</param>
/// <param name="Started">True once the supervisor has started the candidate (a second start without a commit means it failed).</param>
internal sealed record PendingUpdate(string Version, string Slot, string PreviousVersion, string PreviousSlot, bool Started = false);

/// <summary>How the last update ended.</summary>
/// <param name="Version">The version that was tried.</param>
/// <param name="Outcome"><c>committed</c>, <c>rolled-back</c> or <c>refused</c>.</param>
/// <param name="Reason">Why (for a rollback or a refusal).</param>
/// <param name="At">When, UTC (ISO 8601).</param>
/// <param name="Reported">True once the gateway has queued the result for FleetControl (as an <c>update.*</c> event).</param>
internal sealed record UpdateResult(string Version, string Outcome, string Reason, string At, bool Reported = false)
{
    public const string Committed = "committed";
    public const string RolledBack = "rolled-back";
}

/// <summary>
/// <c>{InstallRoot}/update-state.json</c>: the running version and slot, an update waiting for its health check,
/// and the last update's result. Written atomically (temp file, fsync, rename), so a power cut leaves the old or
/// the new state, never half of one.
/// </summary>
internal sealed record UpdateState(string Version, string Slot, PendingUpdate? Pending = null, UpdateResult? LastResult = null)
{
    private static readonly JsonSerializerOptions Json = GatewayJson.With(new(JsonSerializerDefaults.Web) { WriteIndented = true });

    public static UpdateState? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), Json.Info<UpdateState>()) : null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not an update state: {e.Message}", e);
        }
    }

    public void Write(string path)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, this, Json.Info<UpdateState>());
            stream.Flush(true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
