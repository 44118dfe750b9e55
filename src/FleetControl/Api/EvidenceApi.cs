using FleetControl.Auth;
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
        // Evidence officers and administrators only; every view, verification and export is audited first.
        var api = endpoints.MapGroup("/api/evidence").RequireAuthorization(AuthPolicies.Evidence);

        // GET /api/evidence?deviceId=&cameraSerial=&officerId=&category=&trigger=&from=&to=&limit=100&cursor=
        // Newest recording first, from the catalogue's index; "nextCursor" fetches the next page.
        api.MapGet("/", (string? deviceId, string? cameraSerial, string? officerId, string? category, string? trigger,
            DateTimeOffset? from, DateTimeOffset? to, int? limit, string? cursor, IEvidenceCatalog catalog) =>
        {
            if (limit is < 1 or > EvidenceQuery.MaxLimit)
            {
                return Results.BadRequest(new { error = $"limit must be between 1 and {EvidenceQuery.MaxLimit}" });
            }

            try
            {
                var page = catalog.Search(new EvidenceQuery(deviceId, cameraSerial, officerId, category, trigger, from, to, cursor, limit ?? EvidenceQuery.DefaultLimit));
                return Results.Ok(new { items = page.Items.Select(Summary).ToList(), nextCursor = page.NextCursor });
            }
            catch (ArgumentException e)
            {
                return Results.BadRequest(new { error = e.Message });
            }
        });

        // GET /api/evidence/{id}?verify=true  (verify re-hashes the stored file: costly for large items)
        api.MapGet("/{id}", async (string id, bool? verify, HttpContext http, IEvidenceCatalog catalog, AuditLog audit, IOptions<EvidenceVaultOptions> options, Identity.CustodyTrust trust, Alerts.AlertService alerts, CancellationToken ct) =>
        {
            if (catalog.Find(id) is not { } record)
            {
                return Results.NotFound(new { error = $"unknown evidence '{id}'" });
            }

            // The access is on disk before the evidence is shown; a verification also records its result.
            await audit.RecordAsync(http, "evidence.viewed", id).ConfigureAwait(false);
            EvidenceVerification? verification = null;
            if (verify == true)
            {
                verification = await EvidenceVerifier.VerifyAsync(options.Value.VaultDirectory, id, trust, ct).ConfigureAwait(false);
                await audit.RecordAsync(http, "evidence.verified", id, verification.Ok ? "ok" : "failed", verification.Summary).ConfigureAwait(false);

                // One alert per item: raised by a failed verification, resolved by a later passing one.
                var deviceId = EvidenceIndex.Summarise(record).DeviceId;
                if (verification.Ok)
                {
                    alerts.Resolve($"{Alerts.AlertRules.EvidenceVerificationFailed}:{id}", "verified again");
                }
                else
                {
                    alerts.Raise(Alerts.AlertRules.EvidenceVerificationFailed, id, deviceId, "critical",
                        $"evidence {id} failed verification: {string.Join("; ", verification.Problems)}");
                }
            }

            return Results.Ok(new
            {
                summary = Summary(EvidenceIndex.Summarise(record)),
                item = System.Text.Json.JsonDocument.Parse(Json.Format(record.Item)).RootElement,
                receipt = System.Text.Json.JsonDocument.Parse(Json.Format(record.Receipt)).RootElement,
                verification = verification is null ? null : new { ok = verification.Ok, problems = verification.Problems, summary = verification.Summary },
            });
        });

        // GET /api/evidence/{id}/export: item, receipt and the full custody chain as one JSON document (a download).
        api.MapGet("/{id}/export", async (string id, HttpContext http, IEvidenceCatalog catalog, AuditLog audit, IOptions<EvidenceVaultOptions> options, CancellationToken ct) =>
        {
            if (catalog.Find(id) is not { } record || !VaultStorage.IsValidId(id))
            {
                return Results.NotFound(new { error = $"unknown evidence '{id}'" });
            }

            await audit.RecordAsync(http, "evidence.exported", id).ConfigureAwait(false);
            var custodyPath = new VaultStorage(options.Value.VaultDirectory).CustodyPath(id);
            var custody = File.Exists(custodyPath)
                ? (await File.ReadAllLinesAsync(custodyPath, ct).ConfigureAwait(false)).Where(l => l.Length > 0).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList()
                : [];
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}.export.json\"";
            return Results.Ok(new
            {
                summary = Summary(EvidenceIndex.Summarise(record)),
                item = System.Text.Json.JsonDocument.Parse(Json.Format(record.Item)).RootElement,
                receipt = System.Text.Json.JsonDocument.Parse(Json.Format(record.Receipt)).RootElement,
                custody,
                exportedBy = AuthPolicies.NameOf(http.User),
            });
        });

        return endpoints;
    }

    private static object Summary(EvidenceSummary s) => new
    {
        evidenceId = s.EvidenceId,
        deviceId = s.DeviceId,
        cameraSerial = s.CameraSerial,
        fileName = s.FileName,
        size = s.Size,
        sha256 = s.Sha256,
        critical = s.Critical,
        storedAt = s.StoredAt,
        recordedAt = s.RecordedAt,
        officerId = s.OfficerId,
        category = s.Category,
        trigger = s.Trigger,
        sidecarStatus = s.SidecarStatus,
        vaultCustodyEntries = s.VaultCustodyEntries,
    };
}
