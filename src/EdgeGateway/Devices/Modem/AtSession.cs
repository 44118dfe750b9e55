using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Threading.Channels;
using EdgeGateway.Transport;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.Modem;

/// <summary>
/// An AT command session over one device connection (V.250 framing; 3GPP TS 27.007 and ETSI EN 300 392-5
/// commands). One command at a time: <see cref="SendAsync"/> writes it and completes on its final result
/// code (<c>OK</c>, <c>ERROR</c>, <c>+CME ERROR: n</c>, <c>+CMS ERROR: n</c>) or its timeout; information
/// lines are collected for it. Unsolicited result codes go to <see cref="Unsolicited"/> whenever they
/// arrive, also in the middle of a response. <see cref="SendPduAsync"/> handles the <c>&gt;</c> prompt and
/// the Ctrl-Z that ends the PDU (SMS, TETRA SDS). Works with echo on or off. Garbage never throws: the
/// reader rejects and counts it, and a final with no command waiting is counted and dropped.
/// </summary>
internal sealed class AtSession
{
    private const int UnsolicitedCapacity = 256;
    private const byte CtrlZ = 0x1A;
    private const byte Escape = 0x1B;

    private readonly DeviceLink _link;
    private readonly AtSessionOptions _options;
    private readonly AtSessionCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AtReader _reader;
    private readonly AtDialogue _dialogue = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly Channel<AtUnsolicited> _unsolicited;
    private Pending? _pending;
    private string? _urcHeader;
    private string? _urcHeaderName;
    private bool _closed;

    public AtSession(DeviceLink link, AtSessionOptions options, AtSessionCounters counters, TimeProvider time, ILogger logger)
    {
        _link = link;
        _options = options;
        _counters = counters;
        _time = time;
        _logger = logger;
        _reader = new AtReader(counters.Reader);
        _unsolicited = Channel.CreateBounded<AtUnsolicited>(
            new BoundedChannelOptions(UnsolicitedCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true },
            dropped =>
            {
                _counters.CountUnsolicitedDropped();
                Log.UnsolicitedDropped(_logger, dropped.Line);
            });
    }

    /// <summary>Unsolicited result codes in arrival order; completes when the connection ends.</summary>
    public ChannelReader<AtUnsolicited> Unsolicited => _unsolicited.Reader;

    /// <summary>
    /// Reads the connection until it ends or <paramref name="cancellationToken"/> fires. Must run for
    /// commands to complete. A command still waiting at the end completes as <see cref="AtFinalKind.Closed"/>.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await _link.Input.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                Consume(ref buffer, result.IsCompleted);
                _link.Input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            Pending? pending;
            lock (_gate)
            {
                _closed = true;
                pending = _pending;
                _pending = null;
                _dialogue.Abandon();
            }

            pending?.Complete(new AtResponse(AtFinalKind.Closed, -1, pending.Lines));
            _unsolicited.Writer.TryComplete();
        }
    }

    /// <summary>Sends <paramref name="command"/> (without CR) and waits for its final result code.</summary>
    public Task<AtResponse> SendAsync(string command, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        ExchangeAsync(command, pdu: null, timeout ?? _options.CommandTimeout, cancellationToken);

    /// <summary>
    /// Sends a command that answers with the <c>&gt;</c> prompt (<c>AT+CMGS=...</c>), then, at the prompt,
    /// <paramref name="pdu"/> ended by Ctrl-Z, and waits for the final result code. Without a prompt in time
    /// the PDU entry is cancelled with ESC and the result is <see cref="AtFinalKind.Timeout"/>.
    /// </summary>
    /// <remarks>
    /// With <paramref name="awaitPrompt"/> false (terminals that take <c>AT+CMGS=...&lt;CR&gt;data&lt;Ctrl-Z&gt;</c>
    /// in one go, as ETSI EN 300 392-5 writes it, without a prompt) the command, the PDU and Ctrl-Z are
    /// written at once.
    /// </remarks>
    public Task<AtResponse> SendPduAsync(string command, string pdu, CancellationToken cancellationToken, TimeSpan? timeout = null, bool awaitPrompt = true) =>
        ExchangeAsync(command, pdu, timeout ?? _options.CommandTimeout, cancellationToken, awaitPrompt);

    private async Task<AtResponse> ExchangeAsync(string command, string? pdu, TimeSpan timeout, CancellationToken cancellationToken, bool awaitPrompt = true)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pending = new Pending(command, pdu);
            lock (_gate)
            {
                if (_closed)
                {
                    return new AtResponse(AtFinalKind.Closed, -1, []);
                }

                _pending = pending;
                _dialogue.Begin(AtSyntax.EchoCommandName(Encoding.ASCII.GetBytes(command)), expectEcho: true);
                _reader.ExpectPrompt = pdu is not null && awaitPrompt;
            }

            _counters.CountCommand();
            if (pdu is not null && !awaitPrompt)
            {
                await WriteAsync(command + "\r" + pdu, CtrlZ, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WriteAsync(command, (byte)'\r', cancellationToken).ConfigureAwait(false);
            }

            if (pdu is not null && awaitPrompt)
            {
                try
                {
                    await pending.Prompt.Task.WaitAsync(_options.PromptTimeout, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    Log.NoPrompt(_logger, command, _options.PromptTimeout);
                    await WriteAsync(string.Empty, Escape, cancellationToken).ConfigureAwait(false);
                    return Abandon(pending);
                }

                if (pending.Result.Task.IsCompleted)
                {
                    return await pending.Result.Task.ConfigureAwait(false); // an error instead of a prompt
                }

                await WriteAsync(pdu, CtrlZ, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                var response = await pending.Result.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
                Log.CommandEnded(_logger, command, response);
                return response;
            }
            catch (TimeoutException)
            {
                Log.CommandTimedOut(_logger, command, timeout);
                return Abandon(pending);
            }
        }
        finally
        {
            lock (_gate)
            {
                _reader.ExpectPrompt = false;
            }

            _oneAtATime.Release();
        }
    }

    private AtResponse Abandon(Pending pending)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_pending, pending))
            {
                _pending = null;
                _dialogue.Abandon();
            }
        }

        if (pending.Result.Task.IsCompleted)
        {
            return pending.Result.Task.Result;
        }

        _counters.CountTimeout();
        var response = new AtResponse(AtFinalKind.Timeout, -1, pending.Lines);
        pending.Complete(response);
        return response;
    }

    private async ValueTask WriteAsync(string text, byte terminator, CancellationToken cancellationToken)
    {
        var bytes = new byte[Encoding.ASCII.GetByteCount(text) + 1];
        Encoding.ASCII.GetBytes(text, bytes);
        bytes[^1] = terminator;
        await _link.Output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await _link.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Consume(ref ReadOnlySequence<byte> buffer, bool isCompleted)
    {
        while (true)
        {
            Pending? completed = null;
            AtResponse? response = null;
            AtUnsolicited? urc = null;
            lock (_gate)
            {
                if (!_reader.TryRead(ref buffer, isCompleted, out var line))
                {
                    return;
                }

                Handle(line, ref completed, ref response, ref urc);
            }

            completed?.Complete(response!);
            if (urc is not null)
            {
                _counters.CountUnsolicited();
                _unsolicited.Writer.TryWrite(urc);
            }
        }
    }

    private void Handle(in AtLine line, ref Pending? completed, ref AtResponse? response, ref AtUnsolicited? urc)
    {
        var kind = _dialogue.Classify(line, detectEchoes: false, out var name, out var final, out var code);
        if (line.IsPrompt)
        {
            _pending?.Prompt.TrySetResult();
            return;
        }

        switch (kind)
        {
            case AtLineKind.Invalid:
                return; // counted by the reader
            case AtLineKind.Echo:
                var echo = line.ToText().Trim();
                if (_pending is { } p && !string.Equals(echo, p.Command, StringComparison.OrdinalIgnoreCase))
                {
                    p.Lines.Add(line.ToText()); // an information line that happens to start with "AT"
                }

                return;
            case AtLineKind.Info:
                if (_pending is { } info)
                {
                    var text = line.ToText();
                    if (info.Pdu is null || !string.Equals(text.TrimEnd((char)CtrlZ), info.Pdu, StringComparison.OrdinalIgnoreCase))
                    {
                        info.Lines.Add(text); // (a PDU coming back as echo is not information)
                    }
                }

                return;
            case AtLineKind.Final:
                if (_pending is null)
                {
                    _counters.CountUnmatchedFinal();
                    return;
                }

                if (final is AtFinalKind.Error or AtFinalKind.CmeError or AtFinalKind.CmsError)
                {
                    _counters.CountError();
                }

                completed = _pending;
                response = new AtResponse(final, code, _pending.Lines);
                _pending = null;
                _reader.ExpectPrompt = false;
                return;
            default:
                urc = JoinUnsolicited(line.ToText(), name);
                return;
        }
    }

    /// <summary>Joins a URC header with the data line that follows it (<c>+CTSDSR</c> then hex).</summary>
    private AtUnsolicited? JoinUnsolicited(string text, string? name)
    {
        if (_urcHeader is not null)
        {
            var header = _urcHeader;
            _urcHeader = null;
            return new AtUnsolicited(_urcHeaderName, header, text);
        }

        if (name is not null && AtDialogue.IsFollowedByData(name) && text.Length > 0 && text[0] != ' ' && !char.IsAsciiHexDigit(text[0]))
        {
            _urcHeader = text;
            _urcHeaderName = name;
            return null;
        }

        return new AtUnsolicited(name, text, null);
    }

    /// <summary>The command in progress.</summary>
    private sealed class Pending(string command, string? pdu)
    {
        public string Command { get; } = command;

        public string? Pdu { get; } = pdu;

        public List<string> Lines { get; } = [];

        public TaskCompletionSource<AtResponse> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Prompt { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Complete(AtResponse response)
        {
            Result.TrySetResult(response);
            Prompt.TrySetResult();
        }
    }
}
