using System.ComponentModel.DataAnnotations;

namespace FleetControl.WebConsole;

/// <summary>
/// The console's single local login (configuration section <c>Console</c>). A stop-gap, clearly named so:
/// real accounts belong to the security work and will replace it.
/// </summary>
internal sealed class ConsoleOptions
{
    public const string SectionName = "Console";

    [Required(ErrorMessage = "Console:User is required.")]
    public string User { get; set; } = "engineer";

    /// <summary><c>pbkdf2-sha256$iterations$saltBase64$hashBase64</c>; make one with <c>fleetcontrol console hash-password</c>-style code in <see cref="ConsolePassword"/>.</summary>
    [Required(ErrorMessage = "Console:PasswordHash is required.")]
    [RegularExpression(@"^pbkdf2-sha256\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$", ErrorMessage = "Console:PasswordHash must be pbkdf2-sha256$iterations$salt$hash (base64).")]
    public string PasswordHash { get; set; } = string.Empty;
}
