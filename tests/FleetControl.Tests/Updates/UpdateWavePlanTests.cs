using FleetControl.Updates;

namespace FleetControl.Tests.Updates;

/// <summary>How an update rollout's wave specs split a group.</summary>
public sealed class UpdateWavePlanTests
{
    [Theory]
    [InlineData(5, new[] { "1", "10%", "rest" }, new[] { 1, 1, 3 })]
    [InlineData(20, new[] { "1", "10%", "rest" }, new[] { 1, 2, 17 })]
    [InlineData(3, new[] { "5" }, new[] { 3 })]
    [InlineData(4, new[] { "1" }, new[] { 1, 3 })]
    public void PlanWaves_Specs_SplitTheGroup(int count, string[] specs, int[] expected) =>
        Assert.Equal(expected, UpdateRolloutService.PlanWaves(count, specs));

    [Fact]
    public void PlanWaves_BadSpec_Throws() =>
        Assert.Throws<ArgumentException>(() => UpdateRolloutService.PlanWaves(5, ["1", "half"]));
}
