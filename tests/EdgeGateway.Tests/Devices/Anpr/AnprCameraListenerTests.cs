using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Anpr;

namespace EdgeGateway.Tests.Devices.Anpr;

public sealed class AnprCameraListenerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Post_ValidRead_StoresReadAndImagesHashedAtCapture()
    {
        await using var anpr = await AnprHarness.StartAsync();
        var plate = AnprHarness.Jpeg(1);
        var overview = AnprHarness.Jpeg(2, 900);
        using var response = await anpr.Http.PostAsync("/anpr/reads", AnprHarness.Post(AnprHarness.Metadata("ab12 cde"), plate, overview), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var readId = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("readId").GetString();

        var envelopes = await anpr.Sink.WaitUntilAsync(e => e.Count(x => x.BodyCase == Envelope.BodyOneofCase.AnprImage) == 2, Timeout);
        var read = Assert.Single(envelopes, e => e.BodyCase == Envelope.BodyOneofCase.AnprRead);
        Assert.Equal(PriorityClass.Read, read.Priority);
        Assert.Equal(readId, read.AnprRead.ReadId);
        Assert.Equal("ab12 cde", read.AnprRead.Vrm);
        Assert.Equal("AB12CDE", read.AnprRead.NormalisedVrm);
        Assert.Equal("cam-front", read.AnprRead.CameraId);
        Assert.Equal("2", read.AnprRead.Lane);
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T06:00:00.250Z", System.Globalization.CultureInfo.InvariantCulture), read.AnprRead.CameraTime.ToDateTimeOffset());
        Assert.False(read.AnprRead.HasLatitude); // no GNSS fix near the read
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(plate)), read.AnprRead.Images.Single(i => i.Kind == "plate").Sha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(overview)), read.AnprRead.Images.Single(i => i.Kind == "overview").Sha256);
        Assert.All(envelopes.Where(e => e.BodyCase == Envelope.BodyOneofCase.AnprImage), e => Assert.Equal(PriorityClass.Bulk, e.Priority));
        Assert.Equal(plate, envelopes.Single(e => e.AnprImage?.Kind == "plate").AnprImage.Data.ToByteArray());

        var onDisk = Directory.GetFiles(Path.Combine(anpr.DataDirectory, "anpr", "images"), $"{readId}-plate.jpg", SearchOption.AllDirectories);
        Assert.Equal(plate, await File.ReadAllBytesAsync(Assert.Single(onDisk), TestContext.Current.CancellationToken));
        Assert.Equal(1, anpr.Counters.Reads);
    }

    public static TheoryData<string, string?, bool, bool, HttpStatusCode> BadPosts => new()
    {
        { "missing_metadata", null, true, true, HttpStatusCode.BadRequest },
        { "bad_json", "{not json", true, true, HttpStatusCode.BadRequest },
        { "missing_vrm", """{"confidence":0.9,"cameraId":"c","timestamp":"2026-12-01T06:00:00Z"}""", true, true, HttpStatusCode.BadRequest },
        { "bad_vrm", AnprHarness.Metadata("AB12;DROP"), true, true, HttpStatusCode.BadRequest },
        { "bad_vrm", AnprHarness.Metadata("ABCDEFGHIJKLMNOP"), true, true, HttpStatusCode.BadRequest },
        { "missing_confidence", """{"vrm":"AB12CDE","cameraId":"c","timestamp":"2026-12-01T06:00:00Z"}""", true, true, HttpStatusCode.BadRequest },
        { "bad_confidence", """{"vrm":"AB12CDE","confidence":-3,"cameraId":"c","timestamp":"2026-12-01T06:00:00Z"}""", true, true, HttpStatusCode.BadRequest },
        { "bad_camera_id", """{"vrm":"AB12CDE","confidence":0.9,"cameraId":"a/b","timestamp":"2026-12-01T06:00:00Z"}""", true, true, HttpStatusCode.BadRequest },
        { "bad_timestamp", AnprHarness.Metadata("AB12CDE", "2026-12-01T06:00:00"), true, true, HttpStatusCode.BadRequest },
        { "bad_timestamp", AnprHarness.Metadata("AB12CDE", "yesterday"), true, true, HttpStatusCode.BadRequest },
        { "missing_image", AnprHarness.Metadata("AB12CDE"), false, true, HttpStatusCode.BadRequest },
        { "missing_image", AnprHarness.Metadata("AB12CDE"), true, false, HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(BadPosts))]
    public async Task Post_Malformed_RefusedWithReasonCountedAndNothingStored(string reason, string? metadata, bool plate, bool overview, HttpStatusCode status)
    {
        await using var anpr = await AnprHarness.StartAsync();
        using var response = await anpr.Http.PostAsync("/anpr/reads",
            AnprHarness.Post(metadata, plate ? AnprHarness.Jpeg(1) : null, overview ? AnprHarness.Jpeg(2) : null), TestContext.Current.CancellationToken);
        await AssertRefusedAsync(anpr, response, status, reason);
    }

    [Fact]
    public async Task Post_NotAJpeg_Refused()
    {
        await using var anpr = await AnprHarness.StartAsync();
        using var response = await anpr.Http.PostAsync("/anpr/reads",
            AnprHarness.Post(AnprHarness.Metadata("AB12CDE"), "GIF89a not a jpeg"u8.ToArray(), AnprHarness.Jpeg(2)), TestContext.Current.CancellationToken);
        await AssertRefusedAsync(anpr, response, HttpStatusCode.BadRequest, "bad_jpeg");
    }

    [Fact]
    public async Task Post_ImageOverTheLimit_Refused413()
    {
        await using var anpr = await AnprHarness.StartAsync();
        using var response = await anpr.Http.PostAsync("/anpr/reads",
            AnprHarness.Post(AnprHarness.Metadata("AB12CDE"), AnprHarness.Jpeg(1, 5000), AnprHarness.Jpeg(2)), TestContext.Current.CancellationToken);
        await AssertRefusedAsync(anpr, response, HttpStatusCode.RequestEntityTooLarge, "image_too_large");
    }

    [Fact]
    public async Task Post_NotMultipart_Refused415()
    {
        await using var anpr = await AnprHarness.StartAsync();
        using var response = await anpr.Http.PostAsync("/anpr/reads", new StringContent(AnprHarness.Metadata("AB12CDE"), System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await AssertRefusedAsync(anpr, response, HttpStatusCode.UnsupportedMediaType, "not_multipart");
    }

    [Fact]
    public async Task Post_HotlistHit_AlertOnTheInCarStreamAndAnAlertEnvelope_RepeatSuppressed()
    {
        await using var anpr = await AnprHarness.StartAsync();
        var snapshot = new HotlistUpdate { Version = 7, Part = 1, Parts = 1 };
        var entry = new HotlistEntry { Vrm = "XY05ZZZ", List = "stolen", Reason = "Stolen in burglary" };
        entry.Markers.Add("violent");
        snapshot.Upserts.Add(entry);
        anpr.Hotlist.Apply(snapshot);
        AnprHitNotice? raised = null;
        anpr.Feed.Hit += n => raised = n;

        using var stream = await anpr.Http.GetStreamAsync("/anpr/events", TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream);
        Assert.Equal(": connected", await reader.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken));

        using var response = await anpr.Http.PostAsync("/anpr/reads", AnprHarness.Post(AnprHarness.Metadata("XYO5 ZZZ"), AnprHarness.Jpeg(1), AnprHarness.Jpeg(2)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await reader.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken); // blank line after the greeting
        Assert.Equal("event: hit", await reader.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken));
        var data = (await reader.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken))!;
        var hit = JsonDocument.Parse(data["data: ".Length..]).RootElement;
        Assert.Equal("XYO5 ZZZ", hit.GetProperty("vrm").GetString());
        Assert.Equal("XY05ZZZ", hit.GetProperty("entryVrm").GetString());
        Assert.Equal("fuzzy", hit.GetProperty("match").GetString());
        Assert.Equal("violent", hit.GetProperty("markers")[0].GetString());
        Assert.Equal(7, hit.GetProperty("hotlistVersion").GetInt64());
        Assert.NotNull(raised);

        var envelopes = await anpr.Sink.WaitUntilAsync(e => e.Any(x => x.BodyCase == Envelope.BodyOneofCase.AnprRead), Timeout);
        var alert = Assert.Single(envelopes, e => e.BodyCase == Envelope.BodyOneofCase.AnprHit);
        Assert.Equal(PriorityClass.Alert, alert.Priority);
        Assert.Equal("Stolen in burglary", alert.AnprHit.Reason);
        Assert.Equal(2, alert.AnprHit.Images.Count);

        // The same vehicle again within the window: stored as a read, not alerted, counted.
        using var again = await anpr.Http.PostAsync("/anpr/reads", AnprHarness.Post(AnprHarness.Metadata("XY05ZZZ"), AnprHarness.Jpeg(3), AnprHarness.Jpeg(4)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        envelopes = await anpr.Sink.WaitUntilAsync(e => e.Count(x => x.BodyCase == Envelope.BodyOneofCase.AnprRead) == 2, Timeout);
        Assert.Single(envelopes, e => e.BodyCase == Envelope.BodyOneofCase.AnprHit);
        Assert.Equal(1, anpr.Counters.Suppressed);
        Assert.Equal(1, anpr.Counters.Hits);
    }

    private static async Task AssertRefusedAsync(AnprHarness anpr, HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal(reason, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
        Assert.Equal(1, anpr.Counters.Rejected[reason]);
        Assert.DoesNotContain(anpr.Sink.Snapshot(), e => e.BodyCase is Envelope.BodyOneofCase.AnprRead or Envelope.BodyOneofCase.AnprImage);
    }
}
