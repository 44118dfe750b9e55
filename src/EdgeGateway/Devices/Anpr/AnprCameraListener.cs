using System.Net;
using System.Text.Json.Nodes;
using EdgeGateway.Core;
using EdgeGateway.Devices.Anpr.Hotlists;
using EdgeGateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.Anpr;

/// <summary>
/// The HTTP listener the cameras post to, and the in-car terminal's event stream. Kestrel (not HttpListener):
/// it parses multipart bodies with size limits, answers malformed HTTP itself, and waits on epoll with no
/// polling, so an idle listener costs no CPU (its one-second heartbeat timer is the only wake-up).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>POST /anpr/reads</c>, <c>multipart/form-data</c>: <c>metadata</c> (JSON, as a field or a file part),
/// <c>plate</c> and <c>overview</c> (JPEG files). 202 with <c>{"readId","hit"}</c> once the read is on disk; 4xx with
/// <c>{"error": reason, "detail": sentence}</c> for a malformed post (counted per reason); 503 when the outbox refused it.</item>
/// <item><c>GET /anpr/events</c>: server-sent events, one <c>hit</c> event (JSON <see cref="AnprHitNotice"/>) per alerted hit.</item>
/// <item><c>GET /anpr/reads/{readId}/plate.jpg</c> and <c>overview.jpg</c>: the images, for the terminal.</item>
/// <item><c>GET /anpr/status</c>: hotlist version and entries, counters, cameras in fault.</item>
/// </list>
/// </remarks>
internal sealed class AnprCameraListener(
    IOptions<AnprOptions> options,
    AnprReadProcessor processor,
    AnprHitFeed feed,
    AnprImageStore images,
    AnprCounters counters,
    AnprCameraMonitor cameras,
    HotlistHolder hotlist,
    ILoggerFactory loggerFactory) : BackgroundService
{
    private readonly AnprOptions _options = options.Value;
    private readonly ILogger _logger = loggerFactory.CreateLogger<AnprCameraListener>();
    private WebApplication? _app;

    /// <summary>Completes with the bound port once listening (tests use port 0).</summary>
    public TaskCompletionSource<int> Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "EdgeGateway.Anpr", ContentRootPath = AppContext.BaseDirectory });
        // Kestrel's per-request logging would flood the gateway's log at every read; the listener logs what matters itself.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = (2L * _options.MaxImageBytes) + (1024 * 1024);
            kestrel.Listen(IPAddress.Parse(_options.ListenAddress), _options.Port);
        });
        var app = builder.Build();
        app.MapPost("/anpr/reads", (Delegate)ReceiveAsync);
        app.MapGet("/anpr/events", StreamAsync);
        app.MapGet("/anpr/reads/{readId}/{kind}.jpg", (string readId, string kind) =>
            images.Find(readId, kind) is { } path ? Results.File(path, "image/jpeg") : Results.NotFound());
        app.MapGet("/anpr/status", () => Json(new JsonObject
        {
            ["hotlistVersion"] = hotlist.Current.Version,
            ["hotlistEntries"] = hotlist.Current.Count,
            ["reads"] = counters.Reads,
            ["hits"] = counters.Hits,
            ["hitsSuppressed"] = counters.Suppressed,
            ["rejected"] = new JsonObject(counters.Rejected.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value))),
            ["camerasInFault"] = new JsonArray([.. cameras.Faulted.Select(c => (JsonNode?)c)]),
            ["terminals"] = feed.Terminals,
        }));
        _app = app;
        await app.StartAsync(stoppingToken).ConfigureAwait(false);
        var port = new Uri(app.Urls.First()).Port;
        Log.Listening(_logger, _options.ListenAddress, port, hotlist.Current.Version, hotlist.Current.Count);
        Listening.TrySetResult(port);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IResult> ReceiveAsync(HttpContext context)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        if (!request.HasFormContentType || request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Refuse(context, StatusCodes.Status415UnsupportedMediaType, "not_multipart", "post multipart/form-data with 'metadata', 'plate' and 'overview' parts");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions
            {
                MultipartBodyLengthLimit = (2L * _options.MaxImageBytes) + (1024 * 1024),
                ValueLengthLimit = 64 * 1024,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Refuse(context, StatusCodes.Status413PayloadTooLarge, "too_large", e.Message);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return Refuse(context, StatusCodes.Status400BadRequest, "bad_multipart", e.Message);
        }

        byte[] metadata;
        if (form.TryGetValue("metadata", out var field) && field.Count == 1)
        {
            metadata = System.Text.Encoding.UTF8.GetBytes(field[0] ?? string.Empty);
        }
        else if (form.Files.GetFile("metadata") is { Length: > 0 and <= 64 * 1024 } file)
        {
            metadata = await ReadAllAsync(file, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            return Refuse(context, StatusCodes.Status400BadRequest, "missing_metadata", "no 'metadata' part (JSON, at most 64 KiB)");
        }

        if (!CameraReadParser.TryParse(metadata, out var read, out var reason, out var detail))
        {
            return Refuse(context, StatusCodes.Status400BadRequest, reason, detail);
        }

        var parts = new byte[2][];
        string[] kinds = ["plate", "overview"];
        for (var i = 0; i < kinds.Length; i++)
        {
            var image = form.Files.GetFile(kinds[i]);
            if (image is null || image.Length == 0)
            {
                return Refuse(context, StatusCodes.Status400BadRequest, "missing_image", $"no '{kinds[i]}' JPEG part");
            }

            if (image.Length > _options.MaxImageBytes)
            {
                return Refuse(context, StatusCodes.Status413PayloadTooLarge, "image_too_large", $"'{kinds[i]}' is {image.Length} bytes; the limit is {_options.MaxImageBytes} (Anpr:MaxImageBytes)");
            }

            parts[i] = await ReadAllAsync(image, cancellationToken).ConfigureAwait(false);
            if (parts[i] is not [0xFF, 0xD8, 0xFF, ..])
            {
                return Refuse(context, StatusCodes.Status400BadRequest, "bad_jpeg", $"'{kinds[i]}' is not a JPEG (no FF D8 FF start-of-image marker)");
            }
        }

        // Not cancellable from here: a camera that hangs up must not leave half a read.
        var (result, readId, hit) = await processor.ProcessAsync(read!, parts[0], parts[1], CancellationToken.None).ConfigureAwait(false);
        return result == EnqueueResult.Accepted
            ? Json(new JsonObject { ["readId"] = readId, ["hit"] = hit }, StatusCodes.Status202Accepted)
            : Json(new JsonObject { ["error"] = "store_refused", ["detail"] = result.ToString() }, StatusCodes.Status503ServiceUnavailable);
    }

    private IResult Refuse(HttpContext context, int status, string reason, string detail)
    {
        counters.CountRejected(reason);
        Log.Malformed(_logger, reason, context.Connection.RemoteIpAddress?.ToString(), detail);
        return Json(new JsonObject { ["error"] = reason, ["detail"] = detail }, status);
    }

    /// <summary>A JSON answer from a <see cref="JsonObject"/> (not an anonymous type: no reflection, so NativeAOT serves it too).</summary>
    private static IResult Json(JsonObject body, int? status = null) =>
        Results.Json(body, GatewayJsonContext.Default.JsonObject, statusCode: status);

    private static async Task<byte[]> ReadAllAsync(IFormFile file, CancellationToken cancellationToken)
    {
        var bytes = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    private async Task StreamAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var (reader, lease) = feed.Connect();
        using (lease)
        {
            await context.Response.WriteAsync(": connected\n\n", cancellationToken).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (reader.TryRead(out var json))
                    {
                        await context.Response.WriteAsync($"event: hit\ndata: {json}\n\n", cancellationToken).ConfigureAwait(false);
                    }

                    await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // The terminal went away.
            }
        }
    }
}
