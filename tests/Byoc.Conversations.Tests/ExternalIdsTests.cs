using Byoc.Conversations.Identity;
using Byoc.Conversations.V1;
using CsCheck;

namespace Byoc.Conversations.Tests;

public sealed class ExternalIdsTests
{
    private static readonly IdKind[] Kinds = [IdKind.Thread, IdKind.Message, IdKind.EndUser];

    // Native ids as platforms and attackers produce them: separators, wildcards, whitespace, newlines, non-ASCII, long.
    private static readonly Gen<string> NativeId = Gen.OneOf(
        Gen.String,
        Gen.String[Gen.Char[":*{}\n\r\t -_/\\\u0000é漢😀"], 0, 40],
        Gen.Const("a:b"),
        Gen.Const(new string('x', 4096)),
        Gen.String[Gen.Char, 4000, 4100]);

    private static readonly Gen<string> Name = Gen.OneOf(Gen.String[Gen.Char.AlphaNumeric, 1, 12], Gen.String[Gen.Char[":\n a"], 1, 6]);

    private static readonly Gen<IdKind> Kind = Gen.Int[0, 2].Select(i => Kinds[i]);

    [Fact]
    public void The_same_platform_object_always_gets_the_same_CXone_id()
    {
        Gen.Select(Name, Name, Kind, NativeId).Sample((connector, account, kind, native) =>
            ExternalIds.Derive(connector, account, kind, native) == ExternalIds.Derive(connector, account, kind, native));
    }

    [Fact]
    public void Different_platforms_accounts_kinds_or_native_ids_never_share_a_CXone_id()
    {
        Gen.Select(Gen.Select(Name, Name, Kind, NativeId), Gen.Select(Name, Name, Kind, NativeId)).Sample((a, b) =>
            a == b || ExternalIds.Derive(a.Item1, a.Item2, a.Item3, a.Item4) != ExternalIds.Derive(b.Item1, b.Item2, b.Item3, b.Item4));
    }

    [Fact]
    public void Parts_that_would_run_together_as_text_still_give_different_ids()
    {
        // "a:b" + "c" versus "a" + "b:c": a naive "{connector}:{account}" key would collide.
        Assert.NotEqual(ExternalIds.Derive("a:b", "c", IdKind.Thread, "1"), ExternalIds.Derive("a", "b:c", IdKind.Thread, "1"));
        Assert.NotEqual(ExternalIds.Derive("jb", "acct", IdKind.Thread, "1\n2"), ExternalIds.Derive("jb", "acct\n1", IdKind.Thread, "2"));
    }

    [Fact]
    public void The_seed_example_two_platforms_with_the_same_native_id_map_to_different_ids()
    {
        const string sameGuid = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";

        var instagram = ExternalIds.Derive("instagram", "shop", IdKind.Thread, sameGuid);
        var facebook = ExternalIds.Derive("facebook", "shop", IdKind.Thread, sameGuid);

        Assert.NotEqual(instagram, facebook);
        Assert.StartsWith("instagram-thread-", instagram, StringComparison.Ordinal);
        Assert.StartsWith("facebook-thread-", facebook, StringComparison.Ordinal);
    }

    [Fact]
    public void A_thread_and_an_author_with_the_same_native_id_get_different_ids()
    {
        Assert.NotEqual(ExternalIds.Derive("jb", "mk", IdKind.Thread, "42"), ExternalIds.Derive("jb", "mk", IdKind.EndUser, "42"));
    }

    [Fact]
    public void Every_id_is_short_and_of_safe_characters_whatever_the_native_id_holds()
    {
        Gen.Select(Name, Name, Kind, NativeId).Sample((connector, account, kind, native) =>
        {
            var id = ExternalIds.Derive(connector, account, kind, native);
            return id.Length <= 16 + 1 + 6 + 1 + 26 && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
        });
    }
}
