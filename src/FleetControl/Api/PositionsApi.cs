using System.Globalization;
using System.Text;
using System.Xml;
using FleetControl.Store;

namespace FleetControl.Api;

/// <summary>
/// <c>GET /api/devices/{id}/track</c>: positions in a from/to window. JSON is paged (<c>limit</c>,
/// <c>cursor</c> = the previous page's <c>nextCursor</c>); <c>format=geojson</c> (one LineString
/// Feature plus a Point per fix) and <c>format=gpx</c> (GPX 1.1 track) export the whole window, streamed
/// page by page so memory stays flat whatever its size.
/// </summary>
internal static class PositionsApi
{
    public const int ExportPageSize = 5000;

    public static IEndpointRouteBuilder MapPositionsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/devices/{id}/track", async (string id, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int? limit, string? format, HttpContext http, IFleetStore store, CancellationToken ct) =>
        {
            if (from is { } f && to is { } t && f >= t)
            {
                return Results.Problem(statusCode: 400, title: "Invalid window", detail: "from must be before to");
            }

            var n = limit ?? FleetApi.DefaultPositionLimit;
            if (n < 1 || n > FleetApi.MaxPositionLimit)
            {
                return Results.Problem(statusCode: 400, title: "Invalid limit", detail: $"limit must be 1-{FleetApi.MaxPositionLimit}");
            }

            if (await store.GetDeviceAsync(id, ct).ConfigureAwait(false) is null)
            {
                return Results.Problem(statusCode: 404, title: "Unknown device", detail: $"unknown device '{id}'");
            }

            switch (format?.ToLowerInvariant())
            {
                case null or "json":
                    var page = await store.GetPositionsInWindowAsync(id, from, to, cursor, n, ct).ConfigureAwait(false);
                    return Results.Ok(new { positions = page.Positions.Select(DtoMapper.ToDto).ToList(), nextCursor = page.NextCursor });
                case "geojson":
                    http.Response.ContentType = "application/geo+json";
                    http.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}.geojson\"";
                    await WriteGeoJsonAsync(http.Response.Body, id, Pages(store, id, from, to, ct), ct).ConfigureAwait(false);
                    return Results.Empty;
                case "gpx":
                    http.Response.ContentType = "application/gpx+xml";
                    http.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}.gpx\"";
                    await WriteGpxAsync(http.Response.Body, id, Pages(store, id, from, to, ct), ct).ConfigureAwait(false);
                    return Results.Empty;
                default:
                    return Results.Problem(statusCode: 400, title: "Invalid format", detail: "format must be json, geojson or gpx");
            }
        });
        return endpoints;
    }

    private static async IAsyncEnumerable<IReadOnlyList<PositionRecord>> Pages(IFleetStore store, string id, DateTimeOffset? from, DateTimeOffset? to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? cursor = null;
        do
        {
            var page = await store.GetPositionsInWindowAsync(id, from, to, cursor, ExportPageSize, ct).ConfigureAwait(false);
            yield return page.Positions;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>A FeatureCollection: the track as one LineString, then each fix as a Point with its time.</summary>
    internal static async Task WriteGeoJsonAsync(Stream output, string deviceId, IAsyncEnumerable<IReadOnlyList<PositionRecord>> pages, CancellationToken ct)
    {
        // Two passes would read the store twice; points are written as they come and the line is built from
        // the same pages, kept as coordinates only (16 bytes per fix).
        var line = new List<(double Lon, double Lat)>();
        var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteAsync("{\"type\":\"FeatureCollection\",\"features\":[").ConfigureAwait(false);
            var first = true;
            await foreach (var page in pages.WithCancellation(ct).ConfigureAwait(false))
            {
                foreach (var p in page)
                {
                    line.Add((p.Longitude, p.Latitude));
                    await writer.WriteAsync(first ? string.Empty : ",").ConfigureAwait(false);
                    first = false;
                    await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{{\"type\":\"Feature\",\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{p.Longitude:R},{p.Latitude:R}]}},\"properties\":{{\"deviceId\":\"{deviceId}\",\"time\":\"{p.Time.UtcDateTime:O}\",\"messageId\":\"{p.MessageId}\"}}}}")).ConfigureAwait(false);
                }
            }

            if (line.Count > 1)
            {
                await writer.WriteAsync((first ? string.Empty : ",") + "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[").ConfigureAwait(false);
                await writer.WriteAsync(string.Join(",", line.Select(c => string.Create(CultureInfo.InvariantCulture, $"[{c.Lon:R},{c.Lat:R}]")))).ConfigureAwait(false);
                await writer.WriteAsync($"]}},\"properties\":{{\"deviceId\":\"{deviceId}\"}}}}").ConfigureAwait(false);
            }

            await writer.WriteAsync("]}").ConfigureAwait(false);
        }
    }

    /// <summary>A GPX 1.1 document with one track of one segment.</summary>
    internal static async Task WriteGpxAsync(Stream output, string deviceId, IAsyncEnumerable<IReadOnlyList<PositionRecord>> pages, CancellationToken ct)
    {
        var xml = XmlWriter.Create(output, new XmlWriterSettings { Async = true, Encoding = new UTF8Encoding(false), Indent = true, CloseOutput = false });
        await using (xml.ConfigureAwait(false))
        {
            const string ns = "http://www.topografix.com/GPX/1/1";
            await xml.WriteStartDocumentAsync().ConfigureAwait(false);
            await xml.WriteStartElementAsync(null, "gpx", ns).ConfigureAwait(false);
            await xml.WriteAttributeStringAsync(null, "version", null, "1.1").ConfigureAwait(false);
            await xml.WriteAttributeStringAsync(null, "creator", null, "FleetControl").ConfigureAwait(false);
            await xml.WriteStartElementAsync(null, "trk", ns).ConfigureAwait(false);
            await xml.WriteElementStringAsync(null, "name", ns, deviceId).ConfigureAwait(false);
            await xml.WriteStartElementAsync(null, "trkseg", ns).ConfigureAwait(false);
            await foreach (var page in pages.WithCancellation(ct).ConfigureAwait(false))
            {
                foreach (var p in page)
                {
                    await xml.WriteStartElementAsync(null, "trkpt", ns).ConfigureAwait(false);
                    await xml.WriteAttributeStringAsync(null, "lat", null, p.Latitude.ToString("R", CultureInfo.InvariantCulture)).ConfigureAwait(false);
                    await xml.WriteAttributeStringAsync(null, "lon", null, p.Longitude.ToString("R", CultureInfo.InvariantCulture)).ConfigureAwait(false);
                    if (p.Altitude is { } altitude)
                    {
                        await xml.WriteElementStringAsync(null, "ele", ns, altitude.ToString("R", CultureInfo.InvariantCulture)).ConfigureAwait(false);
                    }

                    await xml.WriteElementStringAsync(null, "time", ns, p.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)).ConfigureAwait(false);
                    await xml.WriteEndElementAsync().ConfigureAwait(false);
                }
            }

            await xml.WriteEndElementAsync().ConfigureAwait(false);
            await xml.WriteEndElementAsync().ConfigureAwait(false);
            await xml.WriteEndElementAsync().ConfigureAwait(false);
            await xml.WriteEndDocumentAsync().ConfigureAwait(false);
        }
    }
}
