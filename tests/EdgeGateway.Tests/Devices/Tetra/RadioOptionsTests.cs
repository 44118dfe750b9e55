using System.ComponentModel.DataAnnotations;
using EdgeGateway.Devices.Lte;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Transport;

namespace EdgeGateway.Tests.Devices.Tetra;

/// <summary>Bad radio settings are refused at start-up with a message naming the setting; disabled radios are not checked.</summary>
public sealed class RadioOptionsTests
{
    [Fact]
    public void Tetra_Disabled_NeedsNothing() => Assert.Empty(Errors(new TetraOptions()));

    [Theory]
    [InlineData("Tetra:Serial:PortName", null, null)]
    [InlineData("Tetra:DispatcherIssi", "90x0", null)]
    [InlineData("Tetra:EmergencyStatus", null, 70000)]
    [InlineData("Tetra:SdsQueueCapacity", null, null)]
    public void Tetra_Enabled_BadSetting_IsNamed(string setting, string? dispatcher, int? emergency)
    {
        var options = new TetraOptions
        {
            Enabled = true,
            Serial = new SerialTransportOptions { PortName = setting == "Tetra:Serial:PortName" ? string.Empty : "/dev/ttyUSB1" },
            DispatcherIssi = dispatcher ?? "9000",
            EmergencyStatus = emergency ?? 0,
            SdsQueueCapacity = setting == "Tetra:SdsQueueCapacity" ? 0 : 64,
        };

        Assert.Contains(Errors(options), e => e.Contains(setting, StringComparison.Ordinal));
    }

    [Fact]
    public void Lte_Enabled_BadThreshold_IsNamed()
    {
        var options = new LteOptions { Enabled = true, Serial = new SerialTransportOptions { PortName = "/dev/ttyUSB2" }, PoorRsrpDbm = -20 };

        Assert.Contains(Errors(options), e => e.Contains("Lte:PoorRsrpDbm", StringComparison.Ordinal));
    }

    private static List<string> Errors(IValidatableObject options) =>
        options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage ?? string.Empty).ToList();
}
