using EdgeGateway.Contracts.V1;
using EdgeGateway.Health;
using Google.Protobuf;

namespace EdgeGateway.Commands;

/// <summary>
/// The results of commands this gateway completed, one file per id under <c>{DataDirectory}/commands/</c>,
/// each written atomically and fsynced before the result is reported. A command that arrives again (QoS 1
/// redelivery, FleetControl re-sending after a lost answer, a restart in between) is answered from here and
/// not run twice.
/// </summary>
internal sealed class CompletedCommandLog(string directory)
{
    /// <summary>Folder name inside the data directory.</summary>
    public const string FolderName = "commands";

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The stored result of <paramref name="commandId"/>, or null when it has not completed here.</summary>
    public CommandResult? Find(string commandId)
    {
        var path = PathOf(commandId);
        return File.Exists(path) ? CommandResult.Parser.ParseFrom(Convert.FromBase64String(File.ReadAllText(path))) : null;
    }

    /// <summary>Records a final result durably.</summary>
    public Task RecordAsync(CommandResult result, CancellationToken cancellationToken) =>
        HealthFile.WriteAtomicallyAsync(PathOf(result.CommandId), Convert.ToBase64String(result.ToByteArray()), cancellationToken);

    private string PathOf(string commandId)
    {
        // Ids come from the network: allow only what FleetControl generates (hex, dashes).
        if (commandId.Length is 0 or > 64 || !commandId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException("A command id is 1-64 letters, digits or '-'.", nameof(commandId));
        }

        return Path.Combine(Directory, commandId + ".result");
    }
}
