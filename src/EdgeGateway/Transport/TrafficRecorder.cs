using System.Text;
using EdgeGateway.Contracts.Recording;

namespace EdgeGateway.Transport;

/// <summary>
/// Writes a device's raw traffic to a text file (<see cref="TrafficRecordFormat"/>), with timestamps,
/// rotating at a size limit. Thread-safe: the read loop and command writers record concurrently. A failure
/// to write disables recording (counted), it never disturbs the device session.
/// </summary>
internal sealed class TrafficRecorder : IDisposable
{
    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private StreamWriter? _writer;
    private long _written;
    private long _chunks;
    private long _failures;
    private bool _failed;

    public TrafficRecorder(string path, long maxBytes, TimeProvider time)
    {
        _path = path;
        _maxBytes = maxBytes;
        _time = time;
    }

    /// <summary>Chunks written.</summary>
    public long Chunks => Interlocked.Read(ref _chunks);

    /// <summary>Write failures (recording stops after the first).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>A recorder for <paramref name="options"/>, or null when recording is off.</summary>
    public static TrafficRecorder? For(TrafficRecordingOptions options, TimeProvider time) =>
        options.Enabled ? new TrafficRecorder(options.Path, options.MaxBytes, time) : null;

    /// <summary>Appends one chunk.</summary>
    public void Record(TrafficDirection direction, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        var line = TrafficRecordFormat.FormatLine(_time.GetUtcNow(), direction, bytes);
        lock (_gate)
        {
            if (_failed)
            {
                return;
            }

            try
            {
                if (_writer is null || _written >= _maxBytes)
                {
                    Rotate();
                }

                _writer!.WriteLine(line);
                _writer.Flush();
                _written += line.Length + 1;
                Interlocked.Increment(ref _chunks);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _failed = true;
                Interlocked.Increment(ref _failures);
                _writer?.Dispose();
                _writer = null;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }

    private void Rotate()
    {
        if (_writer is not null)
        {
            _writer.Dispose();
            _writer = null;
            File.Move(_path, _path + ".1", overwrite: true);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(_path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        _written = stream.Length;
        if (_written == 0)
        {
            _writer.WriteLine(TrafficRecordFormat.Header);
            _written = TrafficRecordFormat.Header.Length + 1;
        }
    }
}
