using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox.Salvage;

namespace EdgeGateway.Tests.Outbox;

/// <summary><c>salvage FILE</c>: an engineer recovers a damaged outbox file into a stopped gateway's outbox.</summary>
public sealed class SalvageCommandTests
{
    [Fact]
    public async Task RunAsync_IntactFile_EveryMessageQueuedInTheGatewaysOutbox()
    {
        const int total = 300;
        using var source = OutboxTestContext.Create();
        var batch = Enumerable.Range(0, total).Select(_ =>
        {
            var draft = OutboxTestContext.Draft(PriorityClass.Read, "anpr", source.Time.GetUtcNow(), 200);
            draft.MessageId = source.Ids.NextString();
            return draft;
        }).ToList();
        await source.Outbox.EnqueueManyAsync(batch, TestContext.Current.CancellationToken);
        source.Outbox.Dispose();
        using var gateway = new TempDirectory();
        var copy = Path.Combine(gateway.Path, "outbox.db.quarantined-test");
        File.Copy(source.DataFile, copy);
        source.CopyKeysTo(gateway.Sub("data")); // the gateway's own quarantined outbox: its key is there
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await SalvageCommand.RunAsync([copy, "--data", gateway.Sub("data"), "--Gateway:DeviceId=car-7"], output, error, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.Contains($"recovered {total}, lost 0", output.ToString(), StringComparison.Ordinal);
        using var target = OutboxTestContext.Create(directory: Path.Combine(gateway.Path, "data"));
        var leased = (await target.LeaseAllAsync()).Select(OutboxTestContext.Parse).ToList();
        Assert.Equal(batch.Select(e => e.MessageId).Order(), leased.Where(e => e.Stream == "anpr").Select(e => e.MessageId).Order());
        Assert.Single(leased, e => e.Event?.Type == "outbox.salvaged");
    }

    [Fact]
    public async Task RunAsync_GatewayRunningOnTheDirectory_Refused()
    {
        using var gateway = new TempDirectory();
        var data = gateway.Sub("data");
        var file = Path.Combine(gateway.Path, "outbox.db.quarantined-test");
        await File.WriteAllTextAsync(file, "damaged", TestContext.Current.CancellationToken);
        using var running = DataDirectoryLock.TryAcquire(data);
        Assert.NotNull(running);
        var error = new StringWriter();

        var exit = await SalvageCommand.RunAsync([file, "--data", data, "--Gateway:DeviceId=car-7"], TextWriter.Null, error, TestContext.Current.CancellationToken);

        Assert.Equal(GatewayProgram.ExitDataDirectoryInUse, exit);
        Assert.Contains("a gateway is running", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "outbox.db")));
    }

    [Theory]
    [InlineData(new string[0], "no file given")]
    [InlineData(new[] { "/nonexistent/outbox.db.quarantined" }, "does not exist")]
    public async Task RunAsync_BadArguments_ClearError(string[] args, string message)
    {
        var error = new StringWriter();

        var exit = await SalvageCommand.RunAsync(args, TextWriter.Null, error, TestContext.Current.CancellationToken);

        Assert.NotEqual(0, exit);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }
}
