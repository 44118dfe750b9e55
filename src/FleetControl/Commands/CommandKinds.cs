using EdgeGateway.Contracts.V1;

namespace FleetControl.Commands;

/// <summary>The names commands have in the REST API and the CLI, and the message body each maps to.</summary>
internal static class CommandKinds
{
    public const string Ping = "ping";
    public const string CollectDiagnostics = "collect-diagnostics";
    public const string ResendRange = "resend-range";
    public const string RestartService = "restart-service";
    public const string RescanBays = "rescan-bays";
    public const string ApplyConfiguration = "apply-configuration";
    public const string StartRecording = "start-recording";

    public const string InstallUpdate = "install-update";

    /// <summary>Every kind an engineer may send directly (configuration goes through the configuration API).</summary>
    public static IReadOnlyList<string> Sendable { get; } = [Ping, CollectDiagnostics, ResendRange, RestartService, RescanBays, StartRecording, InstallUpdate];

    /// <summary>The kind of a command body.</summary>
    public static string Of(Command command) => command.BodyCase switch
    {
        Command.BodyOneofCase.Ping => Ping,
        Command.BodyOneofCase.CollectDiagnostics => CollectDiagnostics,
        Command.BodyOneofCase.ResendRange => ResendRange,
        Command.BodyOneofCase.RestartService => RestartService,
        Command.BodyOneofCase.RescanBays => RescanBays,
        Command.BodyOneofCase.ApplyConfiguration => ApplyConfiguration,
        Command.BodyOneofCase.InstallUpdate => InstallUpdate,
        Command.BodyOneofCase.HotlistUpdate => Anpr.AnprCommandKind.HotlistUpdate,
        Command.BodyOneofCase.StartRecording => StartRecording,
        _ => throw new ArgumentException("The command has no body.", nameof(command)),
    };
}
