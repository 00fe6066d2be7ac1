using System.Security.Cryptography;

namespace Quai.Engine.Containers;

/// <summary>
/// Names for containers created without --name: "adjective_surname", as docker makes them, from
/// Quai's own word lists (people of computing and physics).
/// </summary>
internal static class NameGenerator
{
    private static readonly string[] Adjectives =
    [
        "agile", "bold", "brave", "bright", "calm", "clever", "cool", "crisp", "daring", "eager",
        "fair", "fancy", "fervent", "gentle", "happy", "hardy", "jolly", "keen", "kind", "lively",
        "lucid", "merry", "mighty", "modest", "nimble", "noble", "patient", "placid", "plucky", "proud",
        "quick", "quiet", "rapid", "serene", "sharp", "sleek", "smart", "snappy", "steady", "stoic",
        "sturdy", "swift", "tender", "tidy", "upbeat", "vivid", "warm", "wise", "witty", "zealous",
    ];

    private static readonly string[] Surnames =
    [
        "allen", "babbage", "backus", "bardeen", "bohr", "boole", "cerf", "church", "codd", "conway",
        "curie", "dijkstra", "dirac", "easley", "engelbart", "euler", "fermi", "feynman", "gauss", "goldberg",
        "hamilton", "hopper", "huffman", "johnson", "kahan", "knuth", "kowalevski", "lamarr", "lamport", "liskov",
        "lovelace", "maxwell", "mccarthy", "meitner", "minsky", "neumann", "noether", "pascal", "perlman", "ritchie",
        "shannon", "sutherland", "tesla", "thompson", "torvalds", "turing", "wilkes", "wing", "wozniak", "yonath",
    ];

    /// <summary>A name that <paramref name="taken"/> does not hold.</summary>
    public static string Next(Func<string, bool> taken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var name = Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)] + "_" + Surnames[RandomNumberGenerator.GetInt32(Surnames.Length)];
            if (attempt > 10)
            {
                name += RandomNumberGenerator.GetInt32(10);
            }
            if (!taken(name))
            {
                return name;
            }
        }
    }
}
