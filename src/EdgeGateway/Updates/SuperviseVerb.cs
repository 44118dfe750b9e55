using System.CommandLine;
using System.Runtime.InteropServices;
using EdgeGateway.Cli;
using Microsoft.Extensions.Configuration;

namespace EdgeGateway.Updates;

/// <summary><c>supervise --root DIR [--Section:Key=value ...]</c>: runs the installed release and confirms or rolls back updates (<see cref="UpdateSupervisor"/>).</summary>
internal sealed class SuperviseVerb : CliVerb
{
    public override string Path => "supervise";

    public override string Description =>
        "Run the installed release (ROOT/current) and watch over updates: a new version must confirm its health in time or it is rolled back";

    public override bool AcceptsSettings => true;

    public override void Define(Command command)
    {
        command.Options.Add(new Option<string>("--root") { Description = "The install root (releases/A, releases/B, current); default Updates:InstallRoot", HelpName = "DIR" });
    }

    public override async Task<int> RunAsync(CliCall call, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine([.. call.Settings]).Build();
        var options = new UpdateOptions();
        configuration.GetSection(UpdateOptions.SectionName).Bind(options);
        var root = call.Parse.GetValue<string>("--root") is { Length: > 0 } given ? given : options.InstallRoot;
        if (string.IsNullOrEmpty(root))
        {
            await call.Error.WriteLineAsync("EdgeGateway supervise: give the install root with --root or Updates:InstallRoot.").ConfigureAwait(false);
            return CliExit.Usage;
        }

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stopping.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stopping.Cancel(); });
        try
        {
            var supervisor = new UpdateSupervisor(new InstallLayout(root), options.HealthDeadline, call.Settings, call.Output, TimeProvider.System);
            return await supervisor.RunAsync(stopping.Token).ConfigureAwait(false);
        }
        catch (UpdateRefusedException e)
        {
            await call.Error.WriteLineAsync($"EdgeGateway supervise: {e.Message}").ConfigureAwait(false);
            return CliExit.Config;
        }
    }
}
