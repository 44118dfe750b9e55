namespace EdgeGateway.Devices.InCarVideo;

/// <summary>What the discrete inputs are wired to.</summary>
public enum InputControllerKind
{
    /// <summary>The SoC's GPIO lines through <c>GpioController</c>.</summary>
    Gpio,

    /// <summary>An MCP23017 16-line I2C expander (Iot.Device.Bindings), read as a GPIO driver; polled.</summary>
    Mcp23017,
}
