using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using EdgeGateway.Simulators.Anpr;
using EdgeGateway.Simulators.Tests.Cli;

namespace EdgeGateway.Simulators.Tests.Anpr;

/// <summary>The simulated ANPR camera against a real HTTP listener (real plate JPEGs from ffmpeg).</summary>
public sealed partial class AnprCameraCommandTests
{
    [Fact]
    public async Task GatewayNotListeningYet_ReadsAreKeptAndSentInOrderOnceItIs()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = FreePort();
        var output = new LineCapture();
        var work = Directory.CreateTempSubdirectory("anpr-camera-test-");
        try
        {
            var camera = AnprCameraCommand.RunAsync(
                ["--target", $"http://127.0.0.1:{port}", "--count", "3", "--rate", "20", "--seed", "7", "--work", work.FullName], output, ct);

            // Nothing listens: the first read is refused and kept.
            Assert.Contains("kept, sent again next tick", await output.NextLineAsync(), StringComparison.Ordinal);

            using var gateway = new HttpListener();
            gateway.Prefixes.Add($"http://127.0.0.1:{port}/");
            gateway.Start();
            var received = new List<string>();
            while (received.Count < 3)
            {
                var context = await gateway.GetContextAsync().WaitAsync(TestSupport.Timeout, ct);
                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    var body = await reader.ReadToEndAsync(ct);
                    received.Add(Timestamp().Match(body).Value);
                }

                context.Response.StatusCode = 202;
                await context.Response.OutputStream.WriteAsync("{\"hit\":false}"u8.ToArray(), ct);
                context.Response.Close();
            }

            Assert.Equal(0, await camera.WaitAsync(TestSupport.Timeout, ct));
            Assert.Equal(3, received.Distinct().Count());
            Assert.Equal(received.Order(StringComparer.Ordinal), received); // oldest first
            Assert.Equal(3, output.All.Count(line => line.Contains("\"status\":202", StringComparison.Ordinal)));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [GeneratedRegex("\"timestamp\":\"[^\"]+\"")]
    private static partial Regex Timestamp();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
