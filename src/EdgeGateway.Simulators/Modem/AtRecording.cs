using System.Text;
using EdgeGateway.Contracts.Recording;

namespace EdgeGateway.Simulators.Modem;

/// <summary>
/// A recorded AT exchange a simulated device replays: for each command the reply a real modem gave (information
/// lines and final result code, byte for byte, malformed ones included), and the unsolicited lines seen outside
/// any exchange. Reads Gammu-style <c>.dump</c> captures (command echo, replies, final result code) and the
/// gateway's own traffic recordings (<see cref="TrafficRecordFormat"/>, <c>tx</c> commands and <c>rx</c> replies).
/// A command recorded more than once answers with its replies in turn, the last one repeating.
/// </summary>
internal sealed class AtRecording
{
    private static readonly string[] FinalPrefixes = ["+CME ERROR", "+CMS ERROR"];
    private static readonly string[] Finals = ["OK", "ERROR", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE", "CONNECT"];

    private readonly Dictionary<string, List<string>> _replies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _next = new(StringComparer.Ordinal);
    private readonly List<string> _unsolicited = [];
    private readonly Lock _gate = new();

    /// <summary>Commands with a recorded reply (upper case, as the device sees them).</summary>
    public IReadOnlyCollection<string> Commands => _replies.Keys;

    /// <summary>Lines recorded outside any exchange (unsolicited result codes), in order.</summary>
    public IReadOnlyList<string> Unsolicited => _unsolicited;

    /// <summary>Every recorded reply, in the order the commands were first recorded.</summary>
    public IEnumerable<(string Command, string Reply)> Exchanges => _replies.SelectMany(r => r.Value.Select(reply => (r.Key, reply)));

    /// <summary>
    /// Loads <paramref name="path"/>: a <c>.dump</c> capture, a traffic recording, or a directory of either
    /// (every file under it, in name order).
    /// </summary>
    public static AtRecording Load(string path)
    {
        var recording = new AtRecording();
        var files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".dump", StringComparison.Ordinal) || f.EndsWith(".rec", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            : (IEnumerable<string>)[path];
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var text = Encoding.Latin1.GetString(bytes);
            if (text.StartsWith(TrafficRecordFormat.Header[..10], StringComparison.Ordinal) || LooksLikeTraffic(text))
            {
                recording.AddTraffic(text);
            }
            else
            {
                recording.AddDump(text);
            }
        }

        return recording;
    }

    /// <summary>Parses a <c>.dump</c> capture: a line starting with <c>AT</c> opens an exchange, a final result code closes it.</summary>
    public static AtRecording FromDump(string text)
    {
        var recording = new AtRecording();
        recording.AddDump(text);
        return recording;
    }

    /// <summary>The recorded reply to <paramref name="command"/> (upper case), with its line ends; null if none was recorded.</summary>
    public string? TryAnswer(string command)
    {
        lock (_gate)
        {
            if (!_replies.TryGetValue(command, out var replies))
            {
                return null;
            }

            var index = _next.GetValueOrDefault(command);
            _next[command] = Math.Min(index + 1, replies.Count - 1);
            return replies[index];
        }
    }

    /// <summary><paramref name="reply"/> without its final result code line(s): what stays when it arrives unasked.</summary>
    public static string WithoutFinal(string reply)
    {
        var kept = new StringBuilder();
        foreach (var line in reply.Split(["\r\n"], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IsFinal(line))
            {
                kept.Append("\r\n").Append(line).Append("\r\n");
            }
        }

        return kept.ToString();
    }

    private void AddDump(string text)
    {
        string? command = null;
        var reply = new StringBuilder();
        foreach (var raw in text.Split(['\r', '\n']))
        {
            var line = raw.TrimEnd();
            if (line.Trim().Length == 0)
            {
                continue;
            }

            if (command is null && line.TrimStart().StartsWith("AT", StringComparison.OrdinalIgnoreCase))
            {
                command = line.Trim().ToUpperInvariant();
                reply.Clear();
                continue;
            }

            if (command is null)
            {
                _unsolicited.Add(line);
                continue;
            }

            reply.Append("\r\n").Append(line).Append("\r\n");
            if (IsFinal(line))
            {
                Add(command, reply.ToString());
                command = null;
            }
        }

        if (command is not null)
        {
            // A capture cut off before its final result code: replayed as it is (the host times out, as it would).
            Add(command, reply.ToString());
        }
    }

    private void AddTraffic(string text)
    {
        string? command = null;
        var pendingCommand = new StringBuilder();
        var reply = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            if (!TrafficRecordFormat.TryParseLine(line.TrimEnd('\r'), out var chunk))
            {
                continue;
            }

            var data = Encoding.Latin1.GetString(chunk!.Bytes);
            if (chunk.Direction == TrafficDirection.Sent)
            {
                foreach (var c in data)
                {
                    if (c == '\r')
                    {
                        if (command is not null)
                        {
                            Add(command, StripEcho(reply.ToString(), command));
                        }

                        command = pendingCommand.ToString().Trim().ToUpperInvariant();
                        pendingCommand.Clear();
                        reply.Clear();
                    }
                    else if (c != '\n')
                    {
                        pendingCommand.Append(c);
                    }
                }
            }
            else if (command is not null)
            {
                reply.Append(data);
            }
            else
            {
                _unsolicited.AddRange(data.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
            }
        }

        if (command is not null)
        {
            Add(command, StripEcho(reply.ToString(), command));
        }
    }

    private void Add(string command, string reply)
    {
        if (command.Length == 0)
        {
            return;
        }

        if (!_replies.TryGetValue(command, out var list))
        {
            list = [];
            _replies[command] = list;
        }

        list.Add(reply);
    }

    /// <summary>Drops the echo (<c>COMMAND\r</c>) the modem sent back before its reply: the replaying device echoes itself.</summary>
    private static string StripEcho(string reply, string command)
    {
        if (!reply.StartsWith(command, StringComparison.OrdinalIgnoreCase))
        {
            return reply;
        }

        var rest = reply[command.Length..];
        return rest.StartsWith('\r') ? rest[1..] : rest;
    }

    private static bool IsFinal(string line)
    {
        var trimmed = line.Trim();
        return Finals.Any(f => trimmed.Equals(f, StringComparison.OrdinalIgnoreCase)) ||
            FinalPrefixes.Any(p => trimmed.StartsWith(p, StringComparison.OrdinalIgnoreCase));
    }

    private static bool LooksLikeTraffic(string text)
    {
        var first = text.Split('\n', 2)[0].TrimEnd('\r');
        return TrafficRecordFormat.TryParseLine(first, out _);
    }
}
