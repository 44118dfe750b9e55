using System.Collections.Concurrent;
using System.Diagnostics;

namespace EdgeGateway.Tests.Outbox;

public sealed class LiteDbOutboxCrashTests
{
    [Fact]
    public async Task EnqueueAsync_ProcessKilled_EveryAcceptedMessagePresentExactlyOnce()
    {
        var directory = Path.Combine(Path.GetTempPath(), "outbox-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var accepted = new ConcurrentDictionary<string, (string Stream, ulong Sequence)>();
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(typeof(LiteDbOutboxCrashTests).Assembly.Location);
            start.Environment[OutboxCrashChild.DirectoryVariable] = directory;

            using (var child = Process.Start(start)!)
            {
                child.OutputDataReceived += (_, e) =>
                {
                    if (e.Data is { } line && line.StartsWith("A ", StringComparison.Ordinal))
                    {
                        var parts = line.Split(' ');
                        accepted[parts[1]] = (parts[2], ulong.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture));
                        if (accepted.Count >= 400)
                        {
                            enough.TrySetResult();
                        }
                    }
                };
                child.BeginOutputReadLine();
                try
                {
                    await enough.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
                }
                finally
                {
                    child.Kill(entireProcessTree: true); // SIGKILL: no flush, no dispose, mid-write
                    await child.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
                }

                Assert.NotEqual(0, child.ExitCode);
            }

            var reported = accepted.ToDictionary(p => p.Key, p => p.Value);
            using var reopened = OutboxTestContext.Create(time: TimeProvider.System, directory: directory);
            var present = (await reopened.LeaseAllAsync()).Select(OutboxTestContext.Parse).ToList();

            Assert.Equal(present.Count, present.Select(e => e.MessageId).Distinct().Count());
            var presentIds = present.Select(e => e.MessageId).ToHashSet();
            Assert.All(reported.Keys, id => Assert.Contains(id, presentIds));

            // Sequences stay gap-free per stream: what is on disk is 1..N, a superset of what was reported.
            foreach (var stream in present.GroupBy(e => e.Stream))
            {
                var sequences = stream.Select(e => e.Sequence).Order().ToList();
                Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (ulong)i), sequences);
            }

            Assert.True(reported.Count >= 400);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
