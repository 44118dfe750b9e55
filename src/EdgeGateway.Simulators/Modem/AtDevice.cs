using System.Text;
using System.Threading.Channels;

namespace EdgeGateway.Simulators.Modem;

/// <summary>
/// What every simulated AT device shares (V.250): reads command lines ended by CR, echoes them while echo is
/// on (ATE0/ATE1), answers after a reply delay, and writes unsolicited lines between replies, never inside
/// one, as a device's serialised output is. A subclass may take the bytes after a command as a PDU up to
/// Ctrl-Z (ESC cancels), as <c>AT+CMGS</c> does.
/// </summary>
internal abstract class AtDevice
{
    private const byte CtrlZ = 0x1A;
    private const byte Escape = 0x1B;

    private readonly Action<ReadOnlyMemory<byte>> _write;
    private readonly Channel<Func<Task>> _work = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StringBuilder _line = new();
    private bool _inPdu;
    private long _commands;
    private long _replayed;
    private int _unsolicitedReplayed;

    protected AtDevice(bool echo, TimeSpan replyDelay, Action<ReadOnlyMemory<byte>> write, TimeProvider time)
    {
        EchoOn = echo;
        ReplyDelay = replyDelay;
        _write = write;
        Time = time;
    }

    /// <summary>
    /// A recorded exchange to replay: a command it holds is answered with the recorded reply (before the
    /// device's own answers), and its unsolicited lines are written once the host has sent a first command.
    /// </summary>
    public AtRecording? Replay { get; set; }

    /// <summary>Commands answered from <see cref="Replay"/>.</summary>
    public long Replayed => Interlocked.Read(ref _replayed);

    /// <summary>Commands received.</summary>
    public long Commands => Interlocked.Read(ref _commands);

    protected TimeProvider Time { get; }

    protected TimeSpan ReplyDelay { get; }

    protected bool EchoOn { get; set; }

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
            if (_inPdu)
            {
                if (b is CtrlZ or Escape)
                {
                    var data = _line.ToString();
                    _line.Clear();
                    _inPdu = false;
                    if (b == CtrlZ)
                    {
                        Enqueue(() => OnPduAsync(data));
                    }
                }
                else if (b is not ((byte)'\r' or (byte)'\n') && _line.Length < 8192)
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
                    Interlocked.Increment(ref _commands);
                    if (TryBeginPdu(text))
                    {
                        _inPdu = true;
                    }
                    else
                    {
                        Enqueue(async () =>
                        {
                            Echo(text);
                            await Task.Delay(ReplyDelay, Time).ConfigureAwait(false);
                            var upper = text.ToUpperInvariant();
                            var recorded = Replay?.TryAnswer(upper);
                            if (recorded is not null)
                            {
                                Interlocked.Increment(ref _replayed);
                            }

                            Write(recorded ?? AnswerBasic(text) ?? Answer(upper));
                            if (Replay is { Unsolicited.Count: > 0 } replay && Interlocked.Exchange(ref _unsolicitedReplayed, 1) == 0)
                            {
                                foreach (var line in replay.Unsolicited)
                                {
                                    Unsolicited(line);
                                }
                            }
                        });
                    }
                }
            }
            else if (b != (byte)'\n' && _line.Length < 4096)
            {
                _line.Append((char)b);
            }
        }
    }

    /// <summary>
    /// Writes the information lines of every recorded reply of <see cref="Replay"/> to commands the host does not
    /// send, as stray lines between replies: what a host meets when another program shares the port or the modem
    /// repeats itself. Final result codes are left out (a stray final would answer whatever command is pending).
    /// </summary>
    public void InjectRecordedReplies(IReadOnlyCollection<string> except)
    {
        foreach (var (command, reply) in Replay?.Exchanges ?? [])
        {
            var stray = AtRecording.WithoutFinal(reply);
            if (!except.Contains(command) && stray.Length > 0)
            {
                Enqueue(() =>
                {
                    Write(stray);
                    return Task.CompletedTask;
                });
            }
        }
    }

    /// <summary>The reply (information lines and final result code, with their line ends) to an upper-case command.</summary>
    protected abstract string Answer(string command);

    /// <summary>True if <paramref name="command"/> takes a PDU after it (the subclass queues its echo/prompt).</summary>
    protected virtual bool TryBeginPdu(string command) => false;

    /// <summary>The PDU text that ended with Ctrl-Z.</summary>
    protected virtual Task OnPduAsync(string data) => Task.CompletedTask;

    protected void Echo(string text)
    {
        if (EchoOn)
        {
            Write(text + "\r");
        }
    }

    protected void Write(string text) => _write(Encoding.ASCII.GetBytes(text));

    /// <summary>Runs <paramref name="work"/> in order with replies and other unsolicited lines.</summary>
    protected void Enqueue(Func<Task> work) => _work.Writer.TryWrite(work);

    /// <summary>An unsolicited line, between replies.</summary>
    protected void Unsolicited(string line) => Enqueue(() =>
    {
        Write($"\r\n{line}\r\n");
        return Task.CompletedTask;
    });

    private string? AnswerBasic(string text)
    {
        switch (text.ToUpperInvariant())
        {
            case "AT":
            case "ATZ":
                return "\r\nOK\r\n";
            case "ATE0":
                EchoOn = false;
                return "\r\nOK\r\n";
            case "ATE1":
                EchoOn = true;
                return "\r\nOK\r\n";
            default:
                return null;
        }
    }
}
