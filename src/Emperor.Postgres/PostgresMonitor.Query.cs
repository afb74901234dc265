using System.Data;
using System.Text;
using Npgsql;

namespace Emperor.Postgres;

/// <summary>The monitor's SQL: the vassal query with bounded field reads, and the status write-back.</summary>
internal sealed partial class PostgresMonitor
{
    private async Task<(List<VassalRow> Rows, int FieldCount)> QueryAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        // Text format for every column (libpq's view): any column type works as ts, uid or gid, as under uWSGI.
        await using var command = new NpgsqlCommand(_source.Query, connection) { AllResultTypesAreUnknown = true };
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        var fieldCount = reader.FieldCount;
        var rows = new List<VassalRow>();
        if (fieldCount < 3)
        {
            return (rows, fieldCount);
        }

        var number = 0;
        while (await reader.ReadAsync(ct))
        {
            number++;
            var (name, _) = await ReadFieldAsync(reader, 0, MaxNameBytes, ct);
            var (config, configSize) = await ReadFieldAsync(reader, 1, _options.Rules.MaxConfigBytes, ct);
            var (ts, _) = await ReadFieldAsync(reader, 2, MaxSmallFieldBytes, ct);
            byte[]? uid = null, gid = null, socket = null;
            if (fieldCount > 3)
            {
                (uid, _) = await ReadFieldAsync(reader, 3, MaxSmallFieldBytes, ct);
            }

            if (fieldCount > 4)
            {
                (gid, _) = await ReadFieldAsync(reader, 4, MaxSmallFieldBytes, ct);
            }

            if (fieldCount > 5)
            {
                (socket, _) = await ReadFieldAsync(reader, 5, MaxSmallFieldBytes, ct);
            }

            rows.Add(new VassalRow
            {
                Number = number,
                Name = name,
                Config = config is not null && config.Length > _options.Rules.MaxConfigBytes ? null : config,
                ConfigSize = configSize,
                Ts = Text(ts),
                Uid = Text(uid),
                Gid = Text(gid),
                Socket = Text(socket),
            });
        }

        return (rows, fieldCount);
    }

    /// <summary>
    /// Reads one column's bytes, at most <paramref name="limit"/> + 1 of them (a runaway value is measured, not
    /// loaded); a bytea column (text form <c>\x…</c>) is decoded. Returns the bytes (null for NULL) and the full size.
    /// </summary>
    private static async Task<(byte[]? Bytes, long Size)> ReadFieldAsync(NpgsqlDataReader reader, int ordinal, int limit, CancellationToken ct)
    {
        if (await reader.IsDBNullAsync(ordinal, ct))
        {
            return (null, 0);
        }

        var bytea = reader.GetDataTypeName(ordinal) == "bytea";
        var readLimit = bytea ? (2L * limit) + 3 : limit + 1L;
        await using var stream = await reader.GetStreamAsync(ordinal, ct);
        long? declared = null;
        try
        {
            declared = stream.Length;
        }
        catch (NotSupportedException)
        {
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[Math.Min(64 * 1024, (int)Math.Min(readLimit, int.MaxValue))];
        while (buffer.Length < readLimit)
        {
            var n = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, readLimit - buffer.Length)), ct);
            if (n == 0)
            {
                break;
            }

            buffer.Write(chunk, 0, n);
        }

        var bytes = buffer.ToArray();
        var size = declared ?? bytes.Length;
        if (bytea && bytes.Length >= 2 && bytes[0] == '\\' && bytes[1] == 'x' && bytes.Length < readLimit)
        {
            try
            {
                bytes = Convert.FromHexString(Encoding.ASCII.GetString(bytes, 2, bytes.Length - 2));
                size = bytes.Length;
            }
            catch (FormatException)
            {
                // Not the hex form after all: leave the text as it is.
            }
        }
        else if (bytea)
        {
            size = (size - 2) / 2;
        }

        return (bytes, size);
    }

    private async Task WriteStatusAsync(NpgsqlConnection connection, IReadOnlyList<StatusRow> rows, CancellationToken ct)
    {
        var table = QuoteIdentifier(_options.StatusTable);
        await using var batch = new NpgsqlBatch(connection);
        var upsert = new NpgsqlBatchCommand(
            $"INSERT INTO {table} (host, name, pid, state, loyal, restarts, last_exit, reason, updated_at) "
            + "SELECT $1, u.name, u.pid, u.state, u.loyal, u.restarts, u.last_exit, u.reason, now() "
            + "FROM unnest($2::text[], $3::int[], $4::text[], $5::bool[], $6::int[], $7::text[], $8::text[]) "
            + "AS u(name, pid, state, loyal, restarts, last_exit, reason) "
            + "ON CONFLICT (host, name) DO UPDATE SET pid = EXCLUDED.pid, state = EXCLUDED.state, loyal = EXCLUDED.loyal, "
            + "restarts = EXCLUDED.restarts, last_exit = EXCLUDED.last_exit, reason = EXCLUDED.reason, updated_at = EXCLUDED.updated_at");
        upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _options.Host });
        upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.Name)] });
        upsert.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. rows.Select(r => r.Pid)] });
        upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.State)] });
        upsert.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. rows.Select(r => r.Loyal)] });
        upsert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. rows.Select(r => r.Restarts)] });
        upsert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. rows.Select(r => r.LastExit)] });
        upsert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. rows.Select(r => r.Reason)] });
        var prune = new NpgsqlBatchCommand($"DELETE FROM {table} WHERE host = $1 AND name <> ALL($2::text[])");
        prune.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _options.Host });
        prune.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.Name)] });
        batch.BatchCommands.Add(upsert);
        batch.BatchCommands.Add(prune);
        try
        {
            await batch.ExecuteNonQueryAsync(ct);
            if (_statusError is not null)
            {
                LogStatusResumed(_logger, _options.StatusTable);
                _statusError = null;
            }
        }
        catch (PostgresException e)
        {
            // The connection is fine; the table is missing or differs. Vassals do not depend on it: say it once.
            var why = $"{e.SqlState}: {e.MessageText}";
            if (_statusError != why)
            {
                LogStatusFailed(_logger, _options.StatusTable, why);
                _statusError = why;
            }
        }
    }

    /// <summary>On a clean stop: this host's rows say so (its vassals are gone), best effort, briefly.</summary>
    private async Task FinalStatusAsync(NpgsqlConnection connection)
    {
        if (_statusError is not null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(s_finalWriteTimeout);
            await ExecuteAsync(
                connection,
                $"UPDATE {QuoteIdentifier(_options.StatusTable)} SET pid = NULL, state = 'stopped', reason = 'the Emperor stopped', updated_at = now() WHERE host = $1",
                timeout.Token,
                _options.Host);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or IOException or TimeoutException)
        {
            // Shutting down: the updated_at of the rows tells the rest.
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, string? parameter = null)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (parameter is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = parameter });
        }

        await command.ExecuteNonQueryAsync(ct);
    }
}
