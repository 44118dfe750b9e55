using System.Text;
using FleetControl.Identity;

namespace FleetControl.Tests.Identity;

/// <summary>Reading mosquitto's dynamic security answers: only ours counts, and its error is kept.</summary>
public sealed class DynamicSecurityAnswerTests
{
    [Fact]
    public void TryReadAnswer_OurDisableSucceeded_TrueWithoutError()
    {
        var payload = Encoding.UTF8.GetBytes("""{"responses":[{"command":"createClient","error":"Client already exists","correlationData":"c1-create"},{"command":"disableClient","correlationData":"c1"}]}""");

        Assert.True(DynamicSecurityDisconnector.TryReadAnswer(payload, "c1", out var error));
        Assert.Null(error);
    }

    [Fact]
    public void TryReadAnswer_OurDisableFailed_TrueWithTheError()
    {
        var payload = Encoding.UTF8.GetBytes("""{"responses":[{"command":"disableClient","error":"Client not found","correlationData":"c1"}]}""");

        Assert.True(DynamicSecurityDisconnector.TryReadAnswer(payload, "c1", out var error));
        Assert.Equal("disableClient: Client not found", error);
    }

    [Theory]
    [InlineData("""{"responses":[{"command":"disableClient","correlationData":"other"}]}""")]
    [InlineData("""{"responses":[{"command":"createClient","correlationData":"c1-create"}]}""")]
    [InlineData("not json")]
    [InlineData("""{"responses":"x"}""")]
    public void TryReadAnswer_AnotherRequestsOrNoAnswer_False(string text)
    {
        Assert.False(DynamicSecurityDisconnector.TryReadAnswer(Encoding.UTF8.GetBytes(text), "c1", out _));
    }
}
