using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Docs;

/// <summary>
/// Generates docs/configuration.md from the options classes the two hosts actually bind: the sections come from
/// the hosts' own service registrations (every <c>BindConfiguration</c> / <c>Configure(section)</c>), defaults from a
/// fresh instance, meanings from the XML documentation, validation from the data annotations and the registered
/// <c>IValidateOptions</c> checks.
/// </summary>
internal static partial class ConfigurationReference
{
    public static string Generate()
    {
        var text = new StringBuilder();
        text.Append("# Configuration reference\n\n")
            .Append("Generated from the options classes by `tests/EdgeGateway.Tests/Docs/ConfigurationReference.cs`; the test\n")
            .Append("`ConfigurationReferenceTests` fails when this file is out of date. Regenerate with\n")
            .Append("`EDGEGATEWAY_UPDATE_DOCS=1 dotnet test tests/EdgeGateway.Tests --filter ConfigurationReferenceTests`.\n\n")
            .Append("Every setting can be given in `appsettings.json`, in the site folder (`/etc/edgegateway/`, `/etc/fleetcontrol/`),\n")
            .Append("as an environment variable (`Section__Key=value`) or on the command line (`--Section:Key=value`).\n")
            .Append("Durations are `hh:mm:ss[.fff]` (or `d.hh:mm:ss`). A value that fails validation stops the service with exit 78\n")
            .Append("and one line naming the setting.\n\n");

        var gatewayServices = new ServiceCollection();
        foreach (var role in new[] { "Vehicle", "Dock" })
        {
            foreach (var service in global::EdgeGateway.Hosting.GatewayHost.CreateBuilder([$"--Gateway:Role={role}"]).Services)
            {
                ((ICollection<ServiceDescriptor>)gatewayServices).Add(service);
            }
        }

        Render(text, "EdgeGateway (vehicle and dock gateway)", gatewayServices);
        Render(text, "FleetControl", global::FleetControl.Hosting.FleetControlHost.CreateBuilder([]).Services);
        return text.ToString();
    }

    private static void Render(StringBuilder text, string title, IServiceCollection services)
    {
        text.Append("## ").Append(title).Append("\n\n");
        var sections = Sections(services);
        text.Append("Sections: ").AppendJoin(", ", sections.Keys.Select(s => $"[`{s}`](#{Anchor(title, s)})")).Append(".\n\n");
        foreach (var (section, types) in sections)
        {
            text.Append("### ").Append(title.Split(' ')[0]).Append(": `").Append(section).Append("`\n\n");
            foreach (var type in types)
            {
                if (Summary(type, "T:" + type.FullName) is { Length: > 0 } about)
                {
                    text.Append(about).Append("\n\n");
                }

                text.Append("| Key | Type | Default | Validation | Meaning |\n|---|---|---|---|---|\n");
                object? instance = null;
                try
                {
                    instance = Activator.CreateInstance(type, nonPublic: true);
                }
                catch (MissingMethodException)
                {
                }

                Rows(text, section, type, instance, depth: 0);
                var checks = Checks(services, type).Distinct(StringComparer.Ordinal).ToList();
                text.Append('\n');
                if (checks.Count > 0)
                {
                    text.Append("Further checks at start-up:\n");
                    foreach (var check in checks)
                    {
                        text.Append("- ").Append(check).Append('\n');
                    }

                    text.Append('\n');
                }
            }
        }
    }

    private static string Anchor(string title, string section) =>
        Regex.Replace($"{title.Split(' ')[0]}: {section}".ToLowerInvariant(), "[^a-z0-9 -]", string.Empty).Replace(' ', '-');

    private static void Rows(StringBuilder text, string prefix, Type type, object? instance, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null
                || (property.SetMethod is not { IsPublic: true } && !IsCollection(property.PropertyType)))
            {
                continue;
            }

            var key = prefix + ":" + property.Name;
            var value = instance is null ? null : property.GetValue(instance);
            if (IsNested(property.PropertyType) && depth < 3)
            {
                Rows(text, key, property.PropertyType, value ?? TryCreate(property.PropertyType), depth + 1);
                continue;
            }

            text.Append("| `").Append(key).Append("` | ").Append(Cell(TypeName(property.PropertyType)))
                .Append(" | ").Append(Cell(instance is null ? "?" : Format(value)))
                .Append(" | ").Append(Cell(Validation(property)))
                .Append(" | ").Append(Cell(Summary(property.DeclaringType!, $"P:{property.DeclaringType!.FullName}.{property.Name}")))
                .Append(" |\n");
        }
    }

    private static object? TryCreate(Type type)
    {
        try
        {
            return Activator.CreateInstance(type, nonPublic: true);
        }
        catch (MissingMethodException)
        {
            return null;
        }
    }

    private static bool IsCollection(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);

    private static bool IsNested(Type type) =>
        type.IsClass && type != typeof(string) && !IsCollection(type) && type.Namespace?.StartsWith("System", StringComparison.Ordinal) != true;

    private static string TypeName(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return TypeName(inner) + " (optional)";
        }

        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        if (type.IsArray)
        {
            return "list of " + TypeName(type.GetElementType()!);
        }

        if (type.IsGenericType && type.GetGenericArguments() is { Length: 2 } pair && typeof(IDictionary).IsAssignableFrom(type))
        {
            return $"map of {TypeName(pair[0])} to {TypeName(pair[1])}";
        }

        if (type.IsGenericType && IsCollection(type))
        {
            return "list of " + TypeName(type.GetGenericArguments()[0]);
        }

        return type == typeof(TimeSpan) ? "duration" : type == typeof(string) ? "string" : type == typeof(bool) ? "bool"
            : type == typeof(int) ? "int" : type == typeof(long) ? "long" : type == typeof(double) ? "double" : type.Name;
    }

    private static string Format(object? value) => value switch
    {
        null => "(none)",
        string { Length: 0 } => "(empty)",
        string s => s,
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary d => d.Count == 0 ? "(empty)" : string.Join(", ", d.Keys.Cast<object>().Select(k => $"{Format(k)}={Format(d[k])}")),
        IEnumerable e => e.Cast<object>().ToList() is { Count: > 0 } items ? string.Join(", ", items.Select(Format)) : "(empty)",
        _ => value.GetType().IsClass && value.GetType().Namespace?.StartsWith("System", StringComparison.Ordinal) != true ? "(object)" : value.ToString() ?? "",
    };

    private static string Validation(PropertyInfo property)
    {
        var rules = new List<string>();
        foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
        {
            rules.Add(attribute switch
            {
                RequiredAttribute => "required",
                RangeAttribute r when r.Maximum is double max && max >= long.MaxValue => $"at least {Format(r.Minimum)}",
                RangeAttribute r when r.Maximum is int max && max == int.MaxValue => $"at least {Format(r.Minimum)}",
                RangeAttribute r => $"{Format(r.Minimum)} to {Format(r.Maximum)}",
                RegularExpressionAttribute x => $"matches `{x.Pattern}`",
                MinLengthAttribute m => $"at least {m.Length} long",
                MaxLengthAttribute m => $"at most {m.Length} long",
                StringLengthAttribute l => $"{l.MinimumLength} to {l.MaximumLength} characters",
                _ => attribute.GetType().Name.Replace("Attribute", string.Empty, StringComparison.Ordinal),
            });
        }

        return string.Join("; ", rules);
    }

    private static IEnumerable<string> Checks(IServiceCollection services, Type options)
    {
        var validator = typeof(IValidateOptions<>).MakeGenericType(options);
        foreach (var descriptor in services.Where(d => d.ServiceType == validator))
        {
            if (descriptor.ImplementationInstance?.GetType().GetProperty("FailureMessage")?.GetValue(descriptor.ImplementationInstance) is string message)
            {
                yield return message;
            }
            else if (descriptor.ImplementationType is { } type && !type.Name.StartsWith("DataAnnotationValidateOptions", StringComparison.Ordinal))
            {
                yield return $"`{type.Name}`: " + (Summary(type, "T:" + type.FullName) is { Length: > 0 } s ? s : "see its source");
            }
        }
    }

    /// <summary>
    /// Section path to the options types bound to it: the path captured by each registered configure action
    /// (<c>BindConfiguration(path)</c> captures the path, <c>Configure(section)</c> the section).
    /// </summary>
    private static SortedDictionary<string, List<Type>> Sections(IServiceCollection services)
    {
        var configuration = new ConfigurationBuilder().Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).BuildServiceProvider();
        var sections = new SortedDictionary<string, List<Type>>(StringComparer.Ordinal);
        foreach (var descriptor in services)
        {
            if (!descriptor.ServiceType.IsGenericType || descriptor.ServiceType.GetGenericTypeDefinition() != typeof(IConfigureOptions<>))
            {
                continue;
            }

            var options = descriptor.ServiceType.GetGenericArguments()[0];
            if (options.Assembly != typeof(global::EdgeGateway.Hosting.GatewayHost).Assembly
                && options.Assembly != typeof(global::FleetControl.Hosting.FleetControlHost).Assembly)
            {
                continue;
            }

            object? configure;
            try
            {
                configure = descriptor.ImplementationInstance ?? descriptor.ImplementationFactory?.Invoke(provider);
            }
            catch (InvalidOperationException)
            {
                continue; // a configure action that needs other services: not a binding
            }

            if (configure?.GetType().GetProperty("Action")?.GetValue(configure) is not Delegate { Target: { } closure })
            {
                continue;
            }

            foreach (var field in closure.GetType().GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            {
                var path = field.GetValue(closure) switch
                {
                    string p when field.Name.Contains("SectionPath", StringComparison.OrdinalIgnoreCase) => p,
                    IConfigurationSection section => section.Path,
                    _ => null,
                };
                if (string.IsNullOrEmpty(path))
                {
                    continue;
                }

                var list = sections.TryGetValue(path, out var found) ? found : sections[path] = [];
                if (!list.Contains(options))
                {
                    list.Add(options);
                }
            }
        }

        return sections;
    }

    private static readonly Dictionary<Assembly, XDocument?> XmlDocs = [];

    private static string Summary(Type type, string member)
    {
        var assembly = type.Assembly;
        if (!XmlDocs.TryGetValue(assembly, out var xml))
        {
            var path = Path.ChangeExtension(assembly.Location, ".xml");
            xml = XmlDocs[assembly] = File.Exists(path) ? XDocument.Load(path) : null;
        }

        var summary = xml?.Descendants("member").FirstOrDefault(m => (string?)m.Attribute("name") == member)?.Element("summary");
        if (summary is null)
        {
            return string.Empty;
        }

        var words = new StringBuilder();
        foreach (var node in summary.Nodes())
        {
            words.Append(node switch
            {
                XText t => t.Value,
                XElement { Name.LocalName: "c" or "code" } c => "`" + c.Value + "`",
                XElement { Name.LocalName: "see" or "seealso" } s => "`" + ((string?)s.Attribute("cref") ?? (string?)s.Attribute("langword") ?? s.Value).Split('.', ':')[^1] + "`",
                XElement { Name.LocalName: "paramref" or "typeparamref" } p => "`" + (string?)p.Attribute("name") + "`",
                XElement e => e.Value,
                _ => string.Empty,
            });
        }

        return Whitespace().Replace(words.ToString(), " ").Trim();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
