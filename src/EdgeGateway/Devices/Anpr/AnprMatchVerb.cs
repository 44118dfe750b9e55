using System.CommandLine;
using EdgeGateway.Cli;

namespace EdgeGateway.Devices.Anpr;

/// <summary><c>anpr match HOTLIST READS [--fuzzy none|ocr]</c>: see <see cref="AnprMatchCommand"/>.</summary>
internal sealed class AnprMatchVerb : CliVerb
{
    public override string Path => "anpr match";

    public override string GroupDescription => "ANPR tools";

    public override string Description => "Match every read of a CSV file against a hotlist CSV with the gateway's own matcher";

    public override void Define(Command command)
    {
        command.Arguments.Add(new Argument<string>("HOTLIST") { Description = "Hotlist CSV: vrm,list,reason,markers" });
        command.Arguments.Add(new Argument<string>("READS") { Description = "Reads CSV: vrm,time" });
        command.Options.Add(new Option<string>("--fuzzy") { Description = "none or ocr (default Anpr:Fuzzy)", HelpName = "LEVEL" });
    }

    public override Task<int> RunAsync(CliCall call, CancellationToken cancellationToken) =>
        AnprMatchCommand.RunAsync([.. call.Arguments], call.Output, call.Error, cancellationToken);
}
