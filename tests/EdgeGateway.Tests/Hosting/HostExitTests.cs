using EdgeGateway.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeGateway.Tests.Hosting;

public sealed class HostExitTests
{
    [Fact]
    public async Task Code_BackgroundServiceDied_IsFatalErrorSoSystemdRestarts()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHostedService<Failing>();
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.WaitForShutdownAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(HostExit.FatalError, HostExit.Code(host.Services));
    }

    [Fact]
    public async Task Code_CleanStop_IsZero()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHostedService<Idle>();
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        await host.StopAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(0, HostExit.Code(host.Services));
    }

    private sealed class Failing : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("simulated fatal error");
        }
    }

    private sealed class Idle : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Delay(Timeout.Infinite, stoppingToken);
    }
}
