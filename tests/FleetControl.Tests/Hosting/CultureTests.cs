using System.Globalization;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Hosting;

public sealed class CultureTests
{
    [Fact]
    public async Task Ingest_UnderGermanCulture_DurationsParsedAndJsonInvariant()
    {
        var original = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            using var data = new TempDirectory();
            var port = FreePort.Next();
            await using var fleet = await FleetControlInstance.StartAsync(data.Path, port, "--Mqtt:SessionExpiry=1.12:30:00");
            await using var device = await TestDevice.ConnectAsync(port, "car-de");
            await device.PublishBatchAsync(TestEnvelopes.Position("car-de", 1, lat: 51.4875, lon: -0.1687));
            await device.NextAckAsync();

            var body = await fleet.Http.GetStringAsync("/api/devices/car-de/positions", TestContext.Current.CancellationToken);

            Assert.Contains("\"lat\":51.4875", body, StringComparison.Ordinal);
            Assert.Contains("\"lon\":-0.1687", body, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }
}
