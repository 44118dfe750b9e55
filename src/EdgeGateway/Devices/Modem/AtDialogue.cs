namespace EdgeGateway.Devices.Modem;

/// <summary>
/// Tells what each line of modem output is, from the exchange it arrives in: the final result code or an
/// information line of the command in progress, an unsolicited result code interleaved with it, an echo.
/// The rule (as in oFono's and ModemManager's AT parsers): while a command is pending, a prefixed line
/// with that command's name, or an unprefixed line, is its information; a prefixed line with another
/// name is unsolicited. Some URCs are followed by a data line (<c>+CTSDSR</c>, <c>+CMT</c>, <c>+CDS</c>,
/// <c>+CBM</c>), which belongs to the URC. Pure state machine; used by the session and by <c>at decode</c>.
/// </summary>
internal sealed class AtDialogue
{
    private string? _urcAwaitingData;
    private bool _infoAwaitingData;

    /// <summary>Whether a command is waiting for its final result code.</summary>
    public bool HasPending { get; private set; }

    /// <summary>The pending command's name (<c>CREG</c>), null for an unnamed one or none.</summary>
    public string? Pending { get; private set; }

    /// <summary>Whether an <c>AT</c>-prefixed line while a command is pending may be an echo (echo on).</summary>
    public bool AwaitingEcho { get; private set; }

    /// <summary>A command was sent (session) or its echo was seen (decoder).</summary>
    public void Begin(string? commandName, bool expectEcho)
    {
        HasPending = true;
        Pending = commandName;
        AwaitingEcho = expectEcho;
        _infoAwaitingData = false;
    }

    /// <summary>The pending command is over without a final result code (timeout, connection lost).</summary>
    public void Abandon()
    {
        HasPending = false;
        Pending = null;
        AwaitingEcho = false;
        _infoAwaitingData = false;
    }

    /// <summary>
    /// Classifies <paramref name="line"/> and updates the state. <paramref name="command"/> is the name the
    /// line relates to (its own prefix, or the pending command's for finals and unprefixed information).
    /// With <paramref name="detectEchoes"/> (reading a capture) any command-like <c>AT</c> line while idle
    /// starts a new exchange.
    /// </summary>
    public AtLineKind Classify(in AtLine line, bool detectEchoes, out string? command, out AtFinalKind final, out int errorCode)
    {
        final = default;
        errorCode = -1;
        command = null;
        if (line.Reject != AtRejectReason.None)
        {
            return AtLineKind.Invalid;
        }

        if (line.IsPrompt)
        {
            command = Pending;
            return AtLineKind.Info;
        }

        var bytes = line.Bytes;
        if (AtSyntax.TryParseFinal(bytes, out final, out errorCode))
        {
            command = Pending;
            _urcAwaitingData = null;
            Abandon();
            return AtLineKind.Final;
        }

        if (_urcAwaitingData is { } urc)
        {
            _urcAwaitingData = null;
            command = urc;
            return AtLineKind.Unsolicited;
        }

        if (AtSyntax.StartsWithAt(bytes) && ((HasPending && AwaitingEcho) || (detectEchoes && AtSyntax.LooksLikeCommand(bytes))))
        {
            command = AtSyntax.EchoCommandName(bytes);
            if (!HasPending || !AwaitingEcho || detectEchoes)
            {
                Begin(command, expectEcho: false);
            }
            else
            {
                AwaitingEcho = false;
                command = Pending;
            }

            return AtLineKind.Echo;
        }

        AwaitingEcho = false;
        var name = AtSyntax.ReplyName(bytes);
        if (HasPending)
        {
            if (_infoAwaitingData && name is null)
            {
                _infoAwaitingData = false;
                command = Pending;
                return AtLineKind.Info;
            }

            if (name is null || name == Pending || Pending is null && !IsUnsolicitedOnly(name))
            {
                command = name ?? Pending;
                _infoAwaitingData = name is not null && IsFollowedByData(name);
                return AtLineKind.Info;
            }
        }

        command = name ?? UnprefixedUrcName(bytes);
        if (name is not null && IsFollowedByData(name))
        {
            _urcAwaitingData = name;
        }

        return AtLineKind.Unsolicited;
    }

    /// <summary>Replies whose header line is followed by a data line (a PDU, SDS user data, an SMS body in text mode).</summary>
    public static bool IsFollowedByData(string name) => name is "CTSDSR" or "CMT" or "CDS" or "CBM" or "CMGR" or "CMGL" or "CTXD";

    /// <summary>Names that are only ever unsolicited, never the answer of a command.</summary>
    private static bool IsUnsolicitedOnly(string name) => name is "CTSDSR" or "CMT" or "CMTI" or "CDS" or "CDSI" or "CBM" or "CRING" or "CLIP" or "CUSD" or "CTXD" or "CTCR" or "CTICN";

    private static string? UnprefixedUrcName(ReadOnlySpan<byte> bytes) => bytes.SequenceEqual("RING"u8) ? "RING" : null;
}
