using FleetControl.Evidence;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace FleetControl.Api;

/// <summary>
/// The evidence vault as fleet engineers see it: what has been offloaded, its receipt, its chain of
/// custody, and (on request) a full verification of the stored file and the chain.
/// </summary>
internal static class EvidenceApi
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static IEndpointRouteBuilder MapEvidenceApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/evidence");

        // GET /api/evidence?deviceId=dock-01
        api.MapGet("/", (string? deviceId, IEvidenceCatalog catalog) =>
            Results.Ok(catalog.List(deviceId).Select(Summary).ToList()));

        // GET /api/evidence/{id}?verify=true  (verify re-hashes the stored file: costly for large items)
        api.MapGet("/{id}", async (string id, bool? verify, IEvidenceCatalog catalog, IOptions<EvidenceVaultOptions> options, CancellationToken ct) =>
        {
            if (catalog.Find(id) is not { } record)
            {
                return Results.NotFound(new { error = $"unknown evidence '{id}'" });
            }

            EvidenceVerification? verification = verify == true
                ? await EvidenceVerifier.VerifyAsync(options.Value.VaultDirectory, id, ct).ConfigureAwait(false)
                : null;
            return Results.Ok(new
            {
                summary = Summary(record),
                item = System.Text.Json.JsonDocument.Parse(Json.Format(record.Item)).RootElement,
                receipt = System.Text.Json.JsonDocument.Parse(Json.Format(record.Receipt)).RootElement,
                verification = verification is null ? null : new { ok = verification.Ok, problems = verification.Problems, summary = verification.Summary },
            });
        });

        return endpoints;
    }

    private static object Summary(EvidenceRecord record) => new
    {
        evidenceId = record.Item.EvidenceId,
        deviceId = record.Item.DeviceId,
        cameraSerial = record.Item.CameraSerial,
        fileName = record.Item.FileName,
        size = record.Receipt.Size,
        sha256 = record.Receipt.Sha256,
        critical = record.Item.Critical,
        storedAt = record.Receipt.StoredAt,
        custodyEntries = record.Receipt.Custody.Count,
    };
}
