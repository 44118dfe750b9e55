using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace FleetControl.Auth;

/// <summary>
/// The ASP.NET Core data-protection key ring in the shared PostgreSQL database (table
/// <c>data_protection_keys</c>, migration 4). The console's session cookie is encrypted and signed with these
/// keys, so with one ring for every instance a cookie issued by one instance is accepted by any other (behind a
/// load balancer without session affinity). Keys are created and rotated by the data-protection system itself;
/// two instances creating the first key at once both store theirs and both are honoured.
/// The keys are stored as the framework writes them: access to the database is access to the sessions, as
/// access to the accounts already is.
/// </summary>
internal sealed class PostgreSqlKeyRing(NpgsqlDataSource dataSource) : IXmlRepository
{
    /// <inheritdoc/>
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = dataSource.CreateCommand("SELECT xml FROM data_protection_keys ORDER BY created_at, name");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    /// <inheritdoc/>
    public void StoreElement(XElement element, string friendlyName)
    {
        using var command = dataSource.CreateCommand("INSERT INTO data_protection_keys (name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO NOTHING");
        command.Parameters.AddWithValue("name", friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }
}
