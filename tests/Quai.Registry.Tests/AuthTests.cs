using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Quai.Testing.Registry;

namespace Quai.Registry.Tests;

public class AuthTests
{
    private static Task<TestRegistry> StartWithUsersAsync(bool token) => TestRegistry.StartAsync((dir, root) =>
    {
        var htpasswd = dir.Combine("htpasswd");
        File.WriteAllText(htpasswd, Htpasswd.Create("alice", "s3cret"));
        return new RegistryOptions { Root = root, Address = "127.0.0.1:0", HtpasswdPath = htpasswd, TokenAuth = token, RequestLog = TextWriter.Null };
    });

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    [Fact]
    public async Task BasicAuthChecksBcryptHtpasswdEntries()
    {
        await using var reg = await StartWithUsersAsync(token: false);
        using (var anonymous = await reg.Http.GetAsync("/v2/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Equal("UNAUTHORIZED", await TestRegistry.ErrorCodeAsync(anonymous));
        }
        var wrong = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        wrong.Headers.Authorization = Basic("alice", "nope");
        using (var r = await reg.Http.SendAsync(wrong))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
        var right = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        right.Headers.Authorization = Basic("alice", "s3cret");
        using (var r = await reg.Http.SendAsync(right))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
    }

    [Fact]
    public async Task TokenModeChallengesIssuesAndVerifiesScopedTokens()
    {
        await using var reg = await StartWithUsersAsync(token: true);
        using var challenge = await reg.Http.GetAsync("/v2/team/app/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        var header = challenge.Headers.WwwAuthenticate.Single();
        Assert.Equal("Bearer", header.Scheme);
        Assert.Contains($"realm=\"{reg.Server.BaseAddress}token\"", header.Parameter);
        Assert.Contains("scope=\"repository:team/app:pull\"", header.Parameter);

        var tokenRequest = new HttpRequestMessage(HttpMethod.Get, "/token?service=quai-registry&scope=repository:team/app:pull");
        tokenRequest.Headers.Authorization = Basic("alice", "s3cret");
        using var tokenResponse = await reg.Http.SendAsync(tokenRequest);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        using var doc = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        var token = doc.RootElement.GetProperty("token").GetString();

        var pull = new HttpRequestMessage(HttpMethod.Get, "/v2/team/app/tags/list");
        pull.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var r = await reg.Http.SendAsync(pull))
        {
            // Authorized: the repository does not exist yet, which is the next thing the registry says.
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
        var push = new HttpRequestMessage(HttpMethod.Post, "/v2/team/app/blobs/uploads/");
        push.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var r = await reg.Http.SendAsync(push))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Contains("repository:team/app:pull,push", r.Headers.WwwAuthenticate.Single().Parameter);
        }
        var otherRepo = new HttpRequestMessage(HttpMethod.Get, "/v2/other/tags/list");
        otherRepo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var r = await reg.Http.SendAsync(otherRepo))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
        var forged = new HttpRequestMessage(HttpMethod.Get, "/v2/team/app/tags/list");
        forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token![..^2] + "xx");
        using (var r = await reg.Http.SendAsync(forged))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
    }

    [Fact]
    public async Task TokenEndpointRefusesWrongPasswordsAndAcceptsTheOAuthPasswordGrant()
    {
        await using var reg = await StartWithUsersAsync(token: true);
        var wrong = new HttpRequestMessage(HttpMethod.Get, "/token?service=quai-registry&scope=repository:x:pull");
        wrong.Headers.Authorization = Basic("alice", "bad");
        using (var r = await reg.Http.SendAsync(wrong))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("UNAUTHORIZED", await TestRegistry.ErrorCodeAsync(r));
        }
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = "alice",
            ["password"] = "s3cret",
            ["service"] = "quai-registry",
            ["scope"] = "repository:x:pull",
            ["client_id"] = "test",
        });
        using var post = await reg.Http.PostAsync("/token", form);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        using var doc = JsonDocument.Parse(await post.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("access_token").GetString()));
    }
}
