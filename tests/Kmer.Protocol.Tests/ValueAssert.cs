namespace Kmer.Protocol.Tests;

/// <summary>Deep comparison of dynamic values, types included (a long must stay a long, a double a double).</summary>
internal static class ValueAssert
{
    public static void Equal(object? expected, object? actual, string path = "value")
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual}");
                break;
            case object?[] array:
                var actualArray = Assert.IsType<object?[]>(actual);
                Assert.True(array.Length == actualArray.Length, $"{path}: expected {array.Length} elements, got {actualArray.Length}");
                for (int i = 0; i < array.Length; i++)
                {
                    Equal(array[i], actualArray[i], $"{path}[{i}]");
                }

                break;
            case Dictionary<string, object?> map:
                var actualMap = Assert.IsType<Dictionary<string, object?>>(actual);
                Assert.Equal(map.Keys.Order(StringComparer.Ordinal), actualMap.Keys.Order(StringComparer.Ordinal));
                foreach (var (key, value) in map)
                {
                    Equal(value, actualMap[key], $"{path}.{key}");
                }

                break;
            default:
                Assert.NotNull(actual);
                Assert.True(expected.GetType() == actual.GetType(), $"{path}: expected a {expected.GetType()}, got a {actual.GetType()} ({actual})");
                Assert.Equal(expected, actual);
                break;
        }
    }

    public static void Rows(IReadOnlyList<IReadOnlyList<object?>> expected, IReadOnlyList<IReadOnlyList<object?>> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Equal(expected[i].ToArray(), actual[i].ToArray(), $"rows[{i}]");
        }
    }
}
