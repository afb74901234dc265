using Npgsql;

namespace Emperor.Postgres.Tests;

/// <summary>The test's own queries on one database of the cluster, every value as text (null for NULL).</summary>
internal sealed class Sql(PostgresCluster cluster, string database)
{
    /// <summary>Every row (blocking: for conditions polled by <c>Wait.UntilAsync</c>).</summary>
    public List<string?[]> Rows(string sql) => RowsAsync(sql).GetAwaiter().GetResult();

    public async Task<List<string?[]>> RowsAsync(string sql)
    {
        await using var connection = await cluster.OpenAsync(database);
        await using var command = new NpgsqlCommand(sql, connection) { AllResultTypesAreUnknown = true };
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string?[]>();
        while (await reader.ReadAsync())
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i) ? null : reader.GetString(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public async Task<string?> ScalarAsync(string sql) => (await RowsAsync(sql)) is [[var value, ..], ..] ? value : null;
}
