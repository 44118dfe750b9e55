using System.Text.Json;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Devices.Gnss.Nmea;

namespace EdgeGateway.Tests.Devices.Gnss;

/// <summary>
/// Every capture in the shared gpsd set, checked against gpsd's own output (.chk). gpsd prints a TPV
/// after most sentences; all TPVs of one timestamp are one reporting cycle, and we print one fix per
/// cycle. So: every gpsd TPV with a position must have our fix of the same time with the same lat/lon
/// (1e-6 degrees); mode, alt, speed and track must equal gpsd's last TPV of that cycle (its complete
/// state). gpsd TPVs without a time (before any date was seen) must match one of our fixes by position.
/// </summary>
public sealed class GpsdCaptureTests
{
    private static readonly TimeSpan GpsWeekRollover = TimeSpan.FromDays(7 * 1024);

    public static TheoryData<string> Captures() => new(GnssTestData.CaptureNames());

    [Fact]
    public void CaptureSet_IsComplete_AllFifteenLogsPresent() => Assert.Equal(15, GnssTestData.CaptureNames().Count());

    [Theory]
    [MemberData(nameof(Captures))]
    public void Decode_GpsdCapture_ReproducesEveryGpsdFix(string name)
    {
        var ours = NmeaCaptureDecoder.Decode(File.ReadAllBytes(GnssTestData.PathOf(name)), new NmeaReaderCounters());
        var gpsd = ReadGpsdTpvs(GnssTestData.PathOf(name + ".chk")).Where(t => t.Lat is not null).ToList();
        var byTime = ours.Where(f => f.Time is not null).GroupBy(f => f.Time!.Value).ToDictionary(g => g.Key, g => g.Last());
        var failures = new List<string>();
        var rolloverShifted = 0;

        foreach (var cycle in gpsd.Where(t => t.Time is not null).GroupBy(t => t.Time!.Value))
        {
            if (!byTime.TryGetValue(cycle.Key, out var fix))
            {
                // gpsd 3.27 moves some dates forward by 1024 GPS weeks (its build-date rollover guess); the
                // receiver's own date is the truth.
                if (!byTime.TryGetValue(cycle.Key - GpsWeekRollover, out fix))
                {
                    failures.Add($"{cycle.Key:O}: no fix");
                    continue;
                }

                rolloverShifted++;
            }

            if (!fix.HasPosition)
            {
                failures.Add($"{cycle.Key:O}: gpsd has a position, we have mode {fix.Mode}");
                continue;
            }

            foreach (var tpv in cycle)
            {
                if (Math.Abs(tpv.Lat!.Value - fix.Latitude!.Value) > 1e-6 || Math.Abs(tpv.Lon!.Value - fix.Longitude!.Value) > 1e-6)
                {
                    failures.Add($"{cycle.Key:O}: gpsd {tpv.Lat},{tpv.Lon} we {fix.Latitude},{fix.Longitude}");
                }
            }

            var last = cycle.Last();
            if (last.Mode != GnssFixJson.ModeNumber(fix.Mode))
            {
                failures.Add($"{cycle.Key:O}: mode gpsd {last.Mode} we {fix.Mode}");
            }

            Compare(failures, cycle.Key, "alt", last.Alt, fix.AltitudeMsl, 0.001);
            Compare(failures, cycle.Key, "track", last.Track, fix.TrackDegrees, 0.001);

            // gpsd derives a speed from successive positions when no sentence gave one (Vincenty on the
            // ellipsoid; we use a sphere), so derived speeds get a relative tolerance.
            Compare(failures, cycle.Key, "speed", last.Speed, fix.SpeedMps, fix.SpeedDerived ? 0.02 + (0.01 * (last.Speed ?? 0)) : 0.001);
        }

        foreach (var tpv in gpsd.Where(t => t.Time is null))
        {
            if (!ours.Any(f => f.HasPosition && Math.Abs(f.Latitude!.Value - tpv.Lat!.Value) <= 1e-6 && Math.Abs(f.Longitude!.Value - tpv.Lon!.Value) <= 1e-6))
            {
                failures.Add($"untimed gpsd fix {tpv.Lat},{tpv.Lon}: not reproduced");
            }
        }

        Assert.True(failures.Count == 0, $"{name}: {failures.Count} mismatches:\n" + string.Join('\n', failures.Take(20)));
        Assert.True(rolloverShifted == 0 || name == "neo-m8n.log", $"{name}: unexpected 1024-week shifts");
    }

    [Fact]
    public void Decode_Hp58534aWithoutChecksums_RejectsEverythingLikeGpsd()
    {
        var counters = new NmeaReaderCounters();
        var fixes = NmeaCaptureDecoder.Decode(File.ReadAllBytes(GnssTestData.PathOf("hp58534a.log")), counters);

        Assert.Empty(fixes);
        Assert.Equal(0, counters.Accepted);
        Assert.Equal(13, counters.Rejected(NmeaRejectReason.MissingChecksum));
    }

    [Fact]
    public void Decode_Com1289CorruptedGsv_CountsOneBadChecksum()
    {
        var counters = new NmeaReaderCounters();
        NmeaCaptureDecoder.Decode(File.ReadAllBytes(GnssTestData.PathOf("com-1289.log")), counters);

        Assert.Equal(1, counters.Rejected(NmeaRejectReason.BadChecksum));
        Assert.True(counters.Rejected(NmeaRejectReason.Proprietary) > 0); // $PFST
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Reader_GpsdCapture_AcceptsExactlyTheSentencesGpsdEchoes(string name)
    {
        // gpsd echoes each sentence it accepted; ours must accept the same (proprietary ones aside).
        var expected = File.ReadLines(GnssTestData.PathOf(name + ".chk"))
            .Where(l => l.StartsWith('$') && !l.StartsWith("$P", StringComparison.Ordinal) && IsDecodedType(l))
            .Select(l => l.TrimEnd()[1..^3])
            .ToList();
        var data = NmeaCaptureDecoder.StripComments(File.ReadAllBytes(GnssTestData.PathOf(name)));

        var actual = NmeaFeed.Sentences(data, data.Length, new NmeaReaderCounters());

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Decode_OneByteChunks_SameFixesAsWholeBuffer(string name)
    {
        var data = NmeaCaptureDecoder.StripComments(File.ReadAllBytes(GnssTestData.PathOf(name)));
        var whole = NmeaFeed.Fixes(data, data.Length, new NmeaReaderCounters());

        var chunked = NmeaFeed.Fixes(data, 1, new NmeaReaderCounters());

        Assert.Equal(whole, chunked);
    }

    private static bool IsDecodedType(string line) =>
        line.Length > 6 && line[3..6] is "GGA" or "RMC" or "GLL" or "VTG" or "GSA" or "GSV" or "ZDA" or "GNS";

    private static void Compare(List<string> failures, DateTimeOffset at, string field, double? gpsd, double? ours, double tolerance)
    {
        if (gpsd is null)
        {
            return;
        }

        if (ours is null || Math.Abs(gpsd.Value - ours.Value) > tolerance)
        {
            failures.Add($"{at:O}: {field} gpsd {gpsd} we {ours?.ToString() ?? "none"}");
        }
    }

    private static IEnumerable<Tpv> ReadGpsdTpvs(string chk)
    {
        foreach (var line in File.ReadLines(chk))
        {
            if (!line.StartsWith("{\"class\":\"TPV\"", StringComparison.Ordinal))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            yield return new Tpv(
                root.GetProperty("mode").GetInt32(),
                root.TryGetProperty("time", out var t) ? t.GetDateTimeOffset() : null,
                Number(root, "lat"),
                Number(root, "lon"),
                Number(root, "alt"),
                Number(root, "speed"),
                Number(root, "track"));
        }
    }

    private static double? Number(JsonElement root, string name) => root.TryGetProperty(name, out var v) ? v.GetDouble() : null;

    private sealed record Tpv(int Mode, DateTimeOffset? Time, double? Lat, double? Lon, double? Alt, double? Speed, double? Track);
}
