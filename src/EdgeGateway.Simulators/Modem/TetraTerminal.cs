using System.Globalization;
using System.Text;
using System.Threading.Channels;
using EdgeGateway.Contracts.Tetra;

namespace EdgeGateway.Simulators.Modem;

/// <summary>
/// A simulated TETRA terminal's PEI (ETSI EN 300 392-5), answering AT commands as real terminals do: echo
/// (ATE0/ATE1), a reply delay, <c>AT+CTSP</c>/<c>AT+CTSDS</c>/<c>AT+CMEE</c>, <c>AT+CREG?</c> and <c>AT+CSQ</c>
/// by coverage, <c>AT+CMGS=&lt;ISSI&gt;,&lt;bits&gt;</c> with or without the <c>&gt;</c> prompt, the user data
/// in hex ended by Ctrl-Z (ESC cancels), <c>+CMGS: 0,3,&lt;ref&gt;</c>, <c>+CME ERROR: 30</c> out of coverage.
/// Unsolicited lines (<c>+CTSDSR</c>, <c>+CREG</c>) are written between replies, never inside one, as a
/// terminal's serialised output is. SDS sent by the gateway go to <see cref="SdsSent"/> (the network);
/// the network's SDS come in through <see cref="DeliverSds"/>.
/// </summary>
internal sealed class TetraTerminal
{
    private const byte CtrlZ = 0x1A;
    private const byte Escape = 0x1B;

    private readonly TetraTerminalOptions _options;
    private readonly Action<ReadOnlyMemory<byte>> _write;
    private readonly TimeProvider _time;
    private readonly Channel<Func<Task>> _work = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StringBuilder _line = new();
    /// <summary>The <c>AT+CMGS</c> whose user data is being read (until Ctrl-Z or ESC), or null.</summary>
    private string? _pduCommand;
    private string? _pduDestination;
    private int _pduBits;
    private bool _echo;
    private volatile bool _registered = true;
    private long _commands;
    private long _sdsSent;
    private long _sdsReceived;
    private long _emergencies;

    public TetraTerminal(TetraTerminalOptions options, Action<ReadOnlyMemory<byte>> write, TimeProvider time)
    {
        _options = options;
        _write = write;
        _time = time;
        _echo = options.Echo;
    }

    /// <summary>The gateway sent an SDS: (destination, user data with the protocol identifier first). Called after its air time.</summary>
    public event Action<string, byte[]>? SdsSent;

    /// <summary>Whether the terminal is in coverage and registered.</summary>
    public bool Registered => _registered;

    /// <summary>For STATS lines.</summary>
    public string Counters =>
        $"commands={Interlocked.Read(ref _commands)} sds_sent={Interlocked.Read(ref _sdsSent)} sds_received={Interlocked.Read(ref _sdsReceived)} emergencies={Interlocked.Read(ref _emergencies)} registered={(_registered ? 1 : 0)}";

    /// <summary>Processes commands and unsolicited lines in order until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var item in _work.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await item().ConfigureAwait(false);
        }
    }

    /// <summary>Bytes the gateway wrote to the line.</summary>
    public void Feed(ReadOnlyMemory<byte> bytes)
    {
        foreach (var b in bytes.Span)
        {
            if (_pduCommand is not null)
            {
                if (b == CtrlZ || b == Escape)
                {
                    var data = _line.ToString();
                    var destination = _pduDestination!;
                    var bits = _pduBits;
                    _pduCommand = null;
                    _line.Clear();
                    if (b == CtrlZ)
                    {
                        Enqueue(() => SendSdsAsync(destination, bits, data));
                    }

                    continue;
                }

                if (b is not ((byte)'\r' or (byte)'\n'))
                {
                    _line.Append((char)b);
                }

                continue;
            }

            if (b == (byte)'\r')
            {
                var text = _line.ToString().Trim();
                _line.Clear();
                if (text.Length > 0)
                {
                    Command(text);
                }
            }
            else if (b != (byte)'\n' && _line.Length < 4096)
            {
                _line.Append((char)b);
            }
        }
    }

    /// <summary>The network delivers an SDS to this terminal: <c>+CTSDSR: 12,...</c> and the hex user data.</summary>
    public void DeliverSds(string calling, byte[] userData)
    {
        Interlocked.Increment(ref _sdsReceived);
        Enqueue(() =>
        {
            Write($"\r\n+CTSDSR: 12,{calling},0,{_options.Issi},0,{userData.Length * 8}\r\n{SdsTl.ToHex(userData)}\r\n");
            return Task.CompletedTask;
        });
    }

    /// <summary>The emergency button: the terminal reports status 0 (emergency) as <c>+CTSDSR: 13,...</c>.</summary>
    public void PressEmergency(ushort status = 0)
    {
        Interlocked.Increment(ref _emergencies);
        Enqueue(() =>
        {
            Write($"\r\n+CTSDSR: 13,{_options.Issi},0,{_options.Issi},0,16\r\n{status:X4}\r\n");
            return Task.CompletedTask;
        });
    }

    /// <summary>Coverage gained or lost: a <c>+CREG</c> URC follows.</summary>
    public void SetCoverage(bool registered)
    {
        if (_registered == registered)
        {
            return;
        }

        _registered = registered;
        Enqueue(() =>
        {
            Write(registered ? "\r\n+CREG: 1,1234,2341001\r\n" : "\r\n+CREG: 0\r\n");
            return Task.CompletedTask;
        });
    }

    private void Command(string text)
    {
        Interlocked.Increment(ref _commands);
        if (text.StartsWith("AT+CMGS=", StringComparison.OrdinalIgnoreCase))
        {
            var fields = text[8..].Split(',');
            if (fields.Length >= 2 && int.TryParse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var bits) && bits is > 0 and <= SdsTl.MaxBits)
            {
                _pduCommand = text;
                _pduDestination = fields[0].Trim('"', ' ');
                _pduBits = bits;
                Enqueue(() =>
                {
                    Echo(text);
                    if (_options.Prompt)
                    {
                        Write("\r\n> ");
                    }

                    return Task.CompletedTask;
                });
                return;
            }
        }

        Enqueue(async () =>
        {
            Echo(text);
            await Task.Delay(_options.ReplyDelay, _time).ConfigureAwait(false);
            Write(Answer(text));
        });
    }

    private string Answer(string text)
    {
        var command = text.ToUpperInvariant();
        switch (command)
        {
            case "AT":
            case "ATZ":
                return "\r\nOK\r\n";
            case "ATE0":
                _echo = false;
                return "\r\nOK\r\n";
            case "ATE1":
                _echo = true;
                return "\r\nOK\r\n";
            case "AT+CREG?":
                return _registered ? "\r\n+CREG: 1,1,1234,2341001\r\n\r\nOK\r\n" : "\r\n+CREG: 1,0\r\n\r\nOK\r\n";
            case "AT+CSQ":
                return _registered ? "\r\n+CSQ: 22,99\r\n\r\nOK\r\n" : "\r\n+CSQ: 99,99\r\n\r\nOK\r\n";
            case "AT+CNUM?":
                return $"\r\n+CNUM: 0,{_options.Issi}\r\n\r\nOK\r\n";
        }

        if (command.StartsWith("AT+CTSP=", StringComparison.Ordinal) || command.StartsWith("AT+CTSDS=", StringComparison.Ordinal)
            || command.StartsWith("AT+CMEE=", StringComparison.Ordinal) || command.StartsWith("AT+CREG=", StringComparison.Ordinal))
        {
            return "\r\nOK\r\n";
        }

        return "\r\nERROR\r\n";
    }

    private async Task SendSdsAsync(string destination, int bits, string hex)
    {
        if (_echo)
        {
            Write(hex + "\r\n");
        }

        await Task.Delay(_options.ReplyDelay, _time).ConfigureAwait(false);
        if (!SdsTl.TryFromHex(hex, bits, out var data) || data.Length == 0)
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
            await Task.Delay(airTime, _time).ConfigureAwait(false);
            SdsSent?.Invoke(destination, data);
        });
    }

    private void Echo(string text)
    {
        if (_echo)
        {
            Write(text + "\r");
        }
    }

    private void Write(string text) => _write(Encoding.ASCII.GetBytes(text));

    private void Enqueue(Func<Task> work) => _work.Writer.TryWrite(work);
}
