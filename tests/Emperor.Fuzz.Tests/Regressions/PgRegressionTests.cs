using System.Text;
using Emperor.Postgres;

namespace Emperor.Fuzz.Tests.Regressions;

/// <summary>Found by fuzzing the pg:// parsers (Corpus/pg-conninfo/crash-*, Corpus/pg-rows/crash-*).</summary>
public sealed class PgRegressionTests
{
    [Theory]
    [InlineData("postgres://\0")]
    [InlineData("postgresql://db/fleet?application_name=a%00b")]
    [InlineData("host='a\0b'")]
    public void ConnInfo_NulInAValue_IsAnErrorNotAnException(string conninfo)
    {
        var source = PgSource.Parse("pg://" + conninfo, _ => null, "emperor", out var error);

        Assert.Null(source);
        Assert.NotNull(error);
        Assert.Contains("NUL", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ConnInfo_ErrorQuotingALineBreak_IsOneLine()
    {
        var source = PgSource.Parse("pg://postgres://?\r", _ => null, "emperor", out var error);

        Assert.Null(source);
        Assert.NotNull(error);
        Assert.DoesNotContain('\r', error);
        Assert.Contains("\\r", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SnapshotBuilder_TsWithLineBreak_IsReportedOnOneLine()
    {
        VassalRow[] rows =
        [
            new() { Number = 1, Name = Encoding.UTF8.GetBytes("a.ini"), Config = Encoding.UTF8.GetBytes("[uwsgi]\n"), ConfigSize = 8, Ts = "9\n99" },
        ];

        var result = SnapshotBuilder.Build(rows, 3, new SnapshotRules(false, []), null);

        Assert.Empty(result.Entries!);
        var problem = Assert.Single(result.Problems);
        Assert.DoesNotContain('\n', problem.Message);
        Assert.Contains("ts \"9\\n99\"", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9999-12-31 23:59:59+00", long.MaxValue)]
    [InlineData("2263-01-01", long.MaxValue)]
    [InlineData("0001-01-01 00:00:00+00", long.MinValue)]
    [InlineData("2262-04-11 00:00:00+00", 9_223_286_400_000_000_000)]
    public void TryParseTs_TimestampOutsideTheNanosecondRange_Saturates(string ts, long expected)
    {
        Assert.True(SnapshotBuilder.TryParseTs(ts, out var ns));
        Assert.Equal(expected, ns);
    }

    [Fact]
    public void SnapshotBuilder_DuplicatesDifferingOnlyInUidAndGid_PickTheSameRowInAnyOrder()
    {
        VassalRow Row(int number, string uid, string gid) => new()
        {
            Number = number,
            Name = Encoding.UTF8.GetBytes("a.ini"),
            Config = Encoding.UTF8.GetBytes("[uwsgi]\n"),
            ConfigSize = 8,
            Ts = "1700000000",
            Uid = uid,
            Gid = gid,
        };
        VassalRow[] rows = [Row(1, "1001", "1001"), Row(2, "1000", "1002")];
        var rules = new SnapshotRules(false, []);

        var forward = SnapshotBuilder.Build(rows, 5, rules, null).Entries!["a.ini"];
        var reversed = SnapshotBuilder.Build([rows[1], rows[0]], 5, rules, null).Entries!["a.ini"];

        Assert.Equal(forward, reversed);
        Assert.Equal((1000, 1002), (forward.Uid, forward.Gid));
    }

    [Theory]
    [InlineData("pg://postgresql://@me:secret1@db/fleet", "pg://postgresql://@me:***@db/fleet")]
    [InlineData("pg://postgresql://a:b@c:secret2@db:5432/fleet", "pg://postgresql://a:***@db:5432/fleet")]
    [InlineData("pg://postgresql://me@db:5432/fleet?application_name=a:b@c", "pg://postgresql://me@db:5432/fleet?application_name=a:b@c")]
    public void PgSource_UriPasswordAfterAnAtInTheUserName_IsMasked(string argument, string masked)
    {
        var source = PgSource.Parse(argument, _ => null, "emperor", out var error);

        Assert.Null(error);
        Assert.Equal(masked, source!.Argument);
    }

    [Theory]
    [InlineData("pg://password=&secret3 host=db", "pg://password=*** host=db")]
    [InlineData("pg://host=db password=a&b\\ c dbname=x", "pg://host=db password=*** dbname=x")]
    [InlineData("pg://host=db password='a b' dbname=x", "pg://host=db password=*** dbname=x")]
    [InlineData("pg://postgresql://u@db/x?password=a b&sslmode=require", "pg://postgresql://u@db/x?password=***&sslmode=require")]
    public void PgSource_KeywordPasswordWithAmpersand_IsMaskedToTheEndOfTheValue(string argument, string masked)
    {
        var source = PgSource.Parse(argument, _ => null, "emperor", out var error);

        Assert.Null(error);
        Assert.Equal(masked, source!.Argument);
    }
}
