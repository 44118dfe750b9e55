using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Hosting;

/// <summary>The gateway's one way of validating an options class's data annotations at start-up.</summary>
internal static class OptionsValidation
{
    /// <summary>
    /// Why the options classes accept the trim warnings of their data annotations (IL2026): <c>[Range(typeof(TimeSpan), ...)]</c>
    /// converts its bounds with TimeSpan's built-in converter (the warning is about generic converters such as
    /// NullableConverter), and <c>Validator.TryValidateObject</c> over nested options reads members of this assembly's
    /// types, which trimmed and NativeAOT publishes keep whole (TrimmerRootAssembly in EdgeGateway.csproj).
    /// ConfigurationTests (end to end), run against the NativeAOT binary, show an out-of-range setting still refuses to start.
    /// </summary>
    public const string KeptWhole = "Data annotations over this assembly's options classes, kept whole in trimmed publishes; TimeSpan ranges use its built-in converter (OptionsValidation.KeptWhole).";

    /// <summary>
    /// <see cref="OptionsBuilderDataAnnotationsExtensions.ValidateDataAnnotations{TOptions}"/>, for the gateway's own options classes.
    /// </summary>
    /// <remarks>
    /// Data annotations are read by reflection. <typeparamref name="TOptions"/>'s members are kept by its annotation; the
    /// nested options classes some of them hold (lists of devices, bearers) are this assembly's, which a trimmed or
    /// NativeAOT publish keeps whole (TrimmerRootAssembly in EdgeGateway.csproj), so the trim warning is not a loss here.
    /// The end-to-end ConfigurationTests, run against the NativeAOT binary, show a bad setting still refuses to start.
    /// </remarks>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Options classes of this assembly, which trimmed publishes keep whole (see remarks).")]
    public static OptionsBuilder<TOptions> ValidateAnnotations<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TOptions>(this OptionsBuilder<TOptions> builder)
        where TOptions : class =>
        builder.ValidateDataAnnotations();
}
