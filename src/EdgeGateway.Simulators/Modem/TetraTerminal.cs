using System.Globalization;
using EdgeGateway.Contracts.Tetra;

namespace EdgeGateway.Simulators.Modem;

/// <summary>
/// A simulated TETRA terminal's PEI (ETSI EN 300 392-5), answering as real terminals do: echo, a reply delay,
/// <c>AT+CTSP</c>/<c>AT+CTSDS</c>/<c>AT+CMEE</c>, <c>AT+CREG?</c> and <c>AT+CSQ</c> by coverage,
/// <c>AT+CMGS=&lt;ISSI&gt;,&lt;bits&gt;</c> with or without the <c>&gt;</c> prompt, the user data in hex ended by
/// Ctrl-Z, <c>+CMGS: 0,3,&lt;ref&gt;</c>, <c>+CME ERROR: 30</c> out of coverage. SDS sent by the gateway go to
/// <see cref="SdsSent"/> (the network); the network's SDS come in through <see cref="DeliverSds"/>.
/// </summary>
internal sealed class TetraTerminal : AtDevice
{
    private readonly TetraTerminalOptions _options;
    private string? _pduDestination;
    private int _pduBits;
    private volatile bool _registered = true;
    private long _sdsSent;
    private long _sdsReceived;
    private long _emergencies;

    public TetraTerminal(TetraTerminalOptions options, Action<ReadOnlyMemory<byte>> write, TimeProvider time)
        : base(options.Echo, options.ReplyDelay, write, time)
    {
        _options = options;
    }

    /// <summary>The gateway sent an SDS: (destination, user data with the protocol identifier first). Called after its air time.</summary>
    public event Action<string, byte[]>? SdsSent;

    /// <summary>Whether the terminal is in coverage and registered.</summary>
    public bool Registered => _registered;

    /// <summary>For STATS lines.</summary>
    public string Counters =>
        $"commands={Commands} replayed={Replayed} sds_sent={Interlocked.Read(ref _sdsSent)} sds_received={Interlocked.Read(ref _sdsReceived)} emergencies={Interlocked.Read(ref _emergencies)} registered={(_registered ? 1 : 0)}";

    /// <summary>The network delivers an SDS to this terminal: <c>+CTSDSR: 12,...</c> and the hex user data.</summary>
    public void DeliverSds(string calling, byte[] userData)
    {
        Interlocked.Increment(ref _sdsReceived);
        Unsolicited($"+CTSDSR: 12,{calling},0,{_options.Issi},0,{userData.Length * 8}\r\n{SdsTl.ToHex(userData)}");
    }

    /// <summary>The emergency button: the terminal reports status 0 (emergency) as <c>+CTSDSR: 13,...</c>.</summary>
    public void PressEmergency(ushort status = 0)
    {
        Interlocked.Increment(ref _emergencies);
        Unsolicited($"+CTSDSR: 13,{_options.Issi},0,{_options.Issi},0,16\r\n{status:X4}");
    }

    /// <summary>Coverage gained or lost: a <c>+CREG</c> URC follows.</summary>
    public void SetCoverage(bool registered)
    {
        if (_registered != registered)
        {
            _registered = registered;
            Unsolicited(registered ? "+CREG: 1,1234,2341001" : "+CREG: 0");
        }
    }

    protected override bool TryBeginPdu(string command)
    {
        if (!command.StartsWith("AT+CMGS=", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var fields = command[8..].Split(',');
        if (fields.Length < 2 || !int.TryParse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var bits) || bits is <= 0 or > SdsTl.MaxBits)
        {
            return false; // answered ERROR
        }

        _pduDestination = fields[0].Trim('"', ' ');
        _pduBits = bits;
        Enqueue(() =>
        {
            Echo(command);
            if (_options.Prompt)
            {
                Write("\r\n> ");
            }

            return Task.CompletedTask;
        });
        return true;
    }

    protected override string Answer(string command)
    {
        switch (command)
        {
            case "AT+CREG?":
                return _registered ? "\r\n+CREG: 1,1,1234,2341001\r\n\r\nOK\r\n" : "\r\n+CREG: 1,0\r\n\r\nOK\r\n";
            case "AT+CSQ":
                return _registered ? "\r\n+CSQ: 22,99\r\n\r\nOK\r\n" : "\r\n+CSQ: 99,99\r\n\r\nOK\r\n";
            case "AT+CNUM?":
                return $"\r\n+CNUM: 0,{_options.Issi}\r\n\r\nOK\r\n";
        }

        return command.StartsWith("AT+CTSP=", StringComparison.Ordinal) || command.StartsWith("AT+CTSDS=", StringComparison.Ordinal)
            || command.StartsWith("AT+CMEE=", StringComparison.Ordinal) || command.StartsWith("AT+CREG=", StringComparison.Ordinal)
            ? "\r\nOK\r\n"
            : "\r\nERROR\r\n";
    }

    protected override async Task OnPduAsync(string hex)
    {
        var destination = _pduDestination!;
        if (EchoOn)
        {
            Write(hex + "\r\n");
        }

        await Task.Delay(ReplyDelay, Time).ConfigureAwait(false);
        if (!SdsTl.TryFromHex(hex, _pduBits, out var data) || data.Length == 0)
        {
            Write("\r\n+CME ERROR: 4\r\n"); // operation not supported: the data does not match its length
            return;
        }

        if (!_registered)
        {
            Write("\r\n+CME ERROR: 30\r\n"); // no network service (3GPP TS 27.007 numbering)
            return;
        }

        var reference = SdsTl.UsesTransportLayer(data[0]) && data.Length >= 3 ? data[2] : 0;
        Interlocked.Increment(ref _sdsSent);
        Write($"\r\n+CMGS: 0,3,{reference}\r\n\r\nOK\r\n");
        var airTime = _options.AirTime;
        _ = Task.Run(async () =>
        {
            await Task.Delay(airTime, Time).ConfigureAwait(false);
            SdsSent?.Invoke(destination, data);
        });
    }
}
