using Microsoft.Extensions.Hosting;

namespace EdgeGateway.Benchmarks.Idle;

/// <summary>
/// The idle harness's baseline process (<c>EdgeGateway.Benchmarks idle-host</c>): an empty .NET generic
/// host with the runtime's default settings, doing nothing until SIGTERM. Its CPU and memory are what any
/// hosted .NET service costs before it does any work, measured on the same machine in the same run.
/// </summary>
internal static class IdleHostBaseline
{
    /// <summary>The line printed once the host has started.</summary>
    public const string ReadyLine = "IDLE-HOST READY";

    public static int Run(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        using var host = builder.Build();
        host.Start();
        Console.WriteLine(ReadyLine);
        host.WaitForShutdown();
        return 0;
    }
}
