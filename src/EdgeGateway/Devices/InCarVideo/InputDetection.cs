namespace EdgeGateway.Devices.InCarVideo;

/// <summary>How discrete input changes are noticed.</summary>
public enum InputDetection
{
    /// <summary>GPIO edge events: the process sleeps until a pin changes.</summary>
    Interrupt,

    /// <summary>Every pin is read each <see cref="InCarVideoOptions.PollInterval"/>.</summary>
    Poll,
}
