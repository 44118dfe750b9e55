using System.Collections.Concurrent;
using System.Device.Gpio;

namespace EdgeGateway.Devices.InCarVideo.Simulation;

/// <summary>
/// A GPIO chip in memory: <see cref="SetLevel"/> plays the wiring (a 12 V input through its opto-isolator),
/// <see cref="GpioController"/> reads it unchanged, and edge callbacks fire as a kernel's edge events would.
/// </summary>
internal sealed class SimulatedGpioDriver : GpioDriver
{
    private readonly ConcurrentDictionary<int, Line> _lines = new();

    protected override int PinCount => 64;

    /// <summary>Drives pin <paramref name="pin"/> from outside; fires the registered edge callbacks if the level changed.</summary>
    public void SetLevel(int pin, PinValue value)
    {
        var line = _lines.GetOrAdd(pin, static _ => new Line());
        PinChangeEventHandler[] handlers;
        PinEventTypes edge;
        lock (line)
        {
            if (line.Level == value)
            {
                return;
            }

            line.Level = value;
            edge = value == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            handlers = line.Handlers.Where(h => (h.Events & edge) != 0).Select(h => h.Handler).ToArray();
        }

        foreach (var handler in handlers)
        {
            handler(this, new PinValueChangedEventArgs(edge, pin));
        }
    }

    /// <summary>The level of <paramref name="pin"/> now.</summary>
    public PinValue LevelOf(int pin) => _lines.TryGetValue(pin, out var line) ? line.Level : PinValue.Low;

    /// <summary>Edge callbacks registered on <paramref name="pin"/> (tests: the monitor is listening).</summary>
    public int CallbackCount(int pin) => _lines.TryGetValue(pin, out var line) ? line.Handlers.Count : 0;

    protected override void OpenPin(int pinNumber) => _lines.GetOrAdd(pinNumber, static _ => new Line());

    protected override void ClosePin(int pinNumber)
    {
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => _lines.GetOrAdd(pinNumber, static _ => new Line()).Mode = mode;

    protected override PinMode GetPinMode(int pinNumber) => _lines.GetOrAdd(pinNumber, static _ => new Line()).Mode;

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown or PinMode.Output;

    protected override PinValue Read(int pinNumber) => _lines.GetOrAdd(pinNumber, static _ => new Line()).Level;

    protected override void Toggle(int pinNumber) => SetLevel(pinNumber, !Read(pinNumber));

    protected override void Write(int pinNumber, PinValue value) => SetLevel(pinNumber, value);

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        WaitForEventAsync(pinNumber, eventTypes, cancellationToken).AsTask().GetAwaiter().GetResult();

    protected override async ValueTask<WaitForEventResult> WaitForEventAsync(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        var fired = new TaskCompletionSource<PinEventTypes>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnEdge(object sender, PinValueChangedEventArgs e) => fired.TrySetResult(e.ChangeType);
        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, OnEdge);
        try
        {
            var edge = await fired.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new WaitForEventResult { EventTypes = edge, TimedOut = false };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, OnEdge);
        }
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        var line = _lines.GetOrAdd(pinNumber, static _ => new Line());
        lock (line)
        {
            line.Handlers.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        if (_lines.TryGetValue(pinNumber, out var line))
        {
            lock (line)
            {
                line.Handlers.RemoveAll(h => h.Handler == callback);
            }
        }
    }

    private sealed class Line
    {
        public PinValue Level { get; set; } = PinValue.Low;

        public PinMode Mode { get; set; } = PinMode.Input;

        public List<(PinEventTypes Events, PinChangeEventHandler Handler)> Handlers { get; } = [];
    }
}
