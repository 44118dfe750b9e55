using System.Device.Gpio;
using System.Globalization;
using Iot.Device.Mcp23xxx;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>
/// Watches the discrete inputs (light bar, siren, doors, gun-lock, ignition, officer button) through
/// <see cref="GpioController"/>: the SoC's lines, or an MCP23017 expander whose binding is itself a GPIO driver.
/// Edges come from GPIO edge events (the process sleeps until a pin moves) or, for polling and for the
/// expander, from reading every pin each <see cref="InCarVideoOptions.PollInterval"/>. An edge arms the
/// input's debounce timer; only a level that still holds when it fires, and differs from the last accepted
/// one, becomes a trigger, stamped with the time of the first edge of the burst.
/// </summary>
internal sealed class DiscreteInputMonitor : BackgroundService
{
    private readonly IVehicleHardware _hardware;
    private readonly ITriggerPublisher _publisher;
    private readonly InCarVideoCounters _counters;
    private readonly InCarVideoOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DiscreteInputMonitor> _logger;

    /// <summary>The last accepted state per source, kept across a reopen of the bus so a fault does not repeat triggers.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _known = new(StringComparer.Ordinal);

    public DiscreteInputMonitor(
        IVehicleHardware hardware,
        ITriggerPublisher publisher,
        InCarVideoCounters counters,
        IOptions<InCarVideoOptions> options,
        TimeProvider time,
        ILogger<DiscreteInputMonitor> logger)
    {
        _hardware = hardware;
        _publisher = publisher;
        _counters = counters;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Detection actually used: an expander without an interrupt line is always polled.</summary>
    public InputDetection Detection => _options.Controller == InputControllerKind.Mcp23017 ? InputDetection.Poll : _options.Detection;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Inputs.Count == 0)
        {
            return;
        }

        await Task.Yield(); // opening the buses may block; not on the host's start-up path
        try
        {
            await DeviceRetry.RunAsync(_options.Controller + " inputs", WatchAsync, _counters, _options.ReopenDelay, _time, _logger, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        using var controller = OpenController();
        var inputs = _options.Inputs.Select(o => new Input(o, this, controller)).ToArray();
        try
        {
            foreach (var input in inputs)
            {
                controller.OpenPin(input.Options.Pin, PinMode.Input);
                input.Start();
            }

            Log.InputsStarted(_logger, inputs.Length, _options.Controller.ToString(), Detection.ToString(), _options.Debounce);
            if (Detection == InputDetection.Interrupt)
            {
                foreach (var input in inputs)
                {
                    controller.RegisterCallbackForPinValueChangedEvent(input.Options.Pin, PinEventTypes.Rising | PinEventTypes.Falling, input.OnEdge);
                }

                await Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken).ConfigureAwait(false);
            }
            else
            {
                using var timer = new PeriodicTimer(_options.PollInterval, _time);
                while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                {
                    foreach (var input in inputs)
                    {
                        input.Poll();
                    }
                }
            }
        }
        finally
        {
            foreach (var input in inputs)
            {
                input.Dispose();
            }
        }
    }

    private GpioController OpenController() => _options.Controller switch
    {
        InputControllerKind.Mcp23017 => new GpioController(new Mcp23017(_hardware.OpenI2c(_options.Expander))),
        _ => _hardware.OpenGpio(),
    };

    /// <summary>One input's debounce state. Edges arrive on the driver's thread or the poll loop; the timer on the pool.</summary>
    private sealed class Input : IDisposable
    {
        private readonly DiscreteInputMonitor _monitor;
        private readonly GpioController _controller;
        private readonly ITimer _settle;
        private readonly Lock _gate = new();
        private bool _accepted;
        private bool _lastRaw;
        private DateTimeOffset? _firstEdge;

        /// <summary>The ignition read inactive at start-up: reported as <c>off</c> once it held for the debounce time.</summary>
        private bool _initialPending;

        /// <summary><see cref="_firstEdge"/> holds the start-up time (no edge seen yet).</summary>
        private bool _startStamped;

        public Input(DiscreteInputOptions options, DiscreteInputMonitor monitor, GpioController controller)
        {
            Options = options;
            _monitor = monitor;
            _controller = controller;
            _settle = monitor._time.CreateTimer(static state => ((Input)state!).Settle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public DiscreteInputOptions Options { get; }

        /// <summary>
        /// Takes the level now as the accepted state; an input already active at start-up is a trigger now. The ignition
        /// is reported either way: inactive at start-up (a vehicle PC woken by a timer or a depot Wake-on-LAN) it becomes
        /// an <c>off</c> once the level held for the debounce time (an edge meanwhile restarts the wait, as any edge
        /// does), so the power-down is armed. After a reopen (bus fault) only a level that differs from the one accepted
        /// before the fault is reported.
        /// </summary>
        public void Start()
        {
            lock (_gate)
            {
                var level = ReadActive();
                _lastRaw = level;
                var known = _monitor._known.TryGetValue(Options.Source, out var before);
                _accepted = known ? before : false;
                if (level != _accepted)
                {
                    _accepted = level;
                    Accept(level, _monitor._time.GetUtcNow(), known ? "changed while the bus was being reopened" : "active at start-up");
                }
                else if (!known && !level && Options.Source == TriggerSources.Ignition && !Options.Momentary)
                {
                    _initialPending = true;
                    _startStamped = true;
                    _firstEdge = _monitor._time.GetUtcNow();
                    _settle.Change(_monitor._options.Debounce, Timeout.InfiniteTimeSpan);
                }
            }
        }

        public void OnEdge(object sender, PinValueChangedEventArgs args) => Edge();

        public void Poll()
        {
            var raw = ReadActive();
            lock (_gate)
            {
                if (raw == _lastRaw)
                {
                    return;
                }

                _lastRaw = raw;
            }

            Edge();
        }

        private void Edge()
        {
            _monitor._counters.Edge();
            lock (_gate)
            {
                if (_startStamped)
                {
                    _startStamped = false;
                    _firstEdge = null; // the start-up wait for the ignition's level: a change is stamped at its own first edge
                }

                _firstEdge ??= _monitor._time.GetUtcNow();
                _settle.Change(_monitor._options.Debounce, Timeout.InfiniteTimeSpan);
            }
        }

        private void Settle()
        {
            bool level;
            try
            {
                level = ReadActive();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                _monitor._counters.SensorFault();
                Log.InputReadFailed(_monitor._logger, Options.Source, Options.Pin, e.Message);
                return;
            }

            lock (_gate)
            {
                var at = _firstEdge ?? _monitor._time.GetUtcNow();
                _firstEdge = null;
                _lastRaw = level;
                var initial = _initialPending;
                _initialPending = false;
                _startStamped = false;
                if (level == _accepted && !initial)
                {
                    _monitor._counters.Bounce();
                    return;
                }

                _accepted = level;
                Accept(level, at, initial && !level ? "inactive at start-up" : null);
            }
        }

        private void Accept(bool active, DateTimeOffset at, string? note)
        {
            _monitor._known[Options.Source] = active;
            if (Options.Momentary && !active)
            {
                return; // a button's release is not an event
            }

            var state = Options.Momentary ? TriggerState.Pulse : active ? TriggerState.On : TriggerState.Off;
            var pin = Options.Pin.ToString(CultureInfo.InvariantCulture);
            var where = _monitor._options.Controller == InputControllerKind.Mcp23017 ? "mcp23017" : "gpio";
            _monitor._publisher.Publish(new TriggerSignal(
                Options.Source,
                state,
                at,
                string.Create(CultureInfo.InvariantCulture, $"{where} pin {pin} {(active ? "active" : "inactive")}{(note is null ? string.Empty : "; " + note)}"),
                new Dictionary<string, string> { ["input"] = where, ["pin"] = pin }));
        }

        private bool ReadActive() => (_controller.Read(Options.Pin) == PinValue.High) != Options.ActiveLow;

        public void Dispose()
        {
            _settle.Dispose();
            if (_monitor.Detection == InputDetection.Interrupt)
            {
                try
                {
                    _controller.UnregisterCallbackForPinValueChangedEvent(Options.Pin, OnEdge);
                }
                catch (InvalidOperationException)
                {
                    // never registered (start-up failed before it)
                }
            }
        }
    }
}
