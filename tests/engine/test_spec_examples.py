"""The Arazzo specification's own example documents, run against scripted
servers on 127.0.0.1.

The examples ship with several defects; each one must surface as a clear error
or warning. The two examples whose OpenAPI descriptions are not published with
them (LoginAndRetrievePets and ExtendedParametersExample) run against small
stand-in descriptions written here.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from arazzo_runner import Runner, ValidationError
from tests.conftest import SHARED
from tests.support.documents import openapi, write
from tests.support.http_server import Reply, ScriptedServer

EXAMPLES = SHARED / "spec-examples" / "main" / "examples" / "1.0.0"

pytestmark = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason="the specification examples are not available"
)


def diagnostics_of(error: ValidationError) -> list[str]:
    return [str(d) for d in error.diagnostics]


# pet-coupons: OpenAPI 3.0 without servers; parameter names that do not match


def pet_coupons(server: ScriptedServer) -> Runner:
    server.route("GET", "/pet/findByTags", Reply(200, [{"id": 5}]))
    server.route("GET", "/pet/findByStatus", Reply(200, [{"id": 5}]))
    server.route("POST", "/store/order", Reply(200, {"id": 9}))
    return Runner.from_path(
        EXAMPLES / "pet-coupons.arazzo.yaml", servers={"pet-coupons": server.url}
    )


def test_pet_coupons_needs_a_server() -> None:
    with pytest.raises(ValidationError) as caught:
        Runner.from_path(EXAMPLES / "pet-coupons.arazzo.yaml")
    messages = diagnostics_of(caught.value)
    assert any("source 'pet-coupons' declares no server" in m for m in messages)
    assert any("--server pet-coupons=URL" in m for m in messages)


def test_pet_coupons_unfilled_path_parameter(api_server: ScriptedServer) -> None:
    result = pet_coupons(api_server).run("apply-coupon", {"my_pet_tags": ["a", "b"]})
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.kind == "request-error"
    assert "path parameter 'petId' of GET /pet/{petId}/coupons has no value" in (
        result.error.message
    )
    assert any("'pet_tags' is not declared" in w for w in result.warnings)
    assert any("'pet_id' matches no placeholder" in w for w in result.warnings)
    assert api_server.requests[0].raw_query == "pet_tags=a&pet_tags=b"


def test_pet_coupons_buy_available_pet(api_server: ScriptedServer) -> None:
    result = pet_coupons(api_server).run("buy-available-pet", {})
    assert result.status == "succeeded"
    assert result.outputs == {"buy_pet_order_id": 9}
    find, order = api_server.requests
    assert find.raw_query == "status=available&page=1&pageSize=10"
    assert order.json() == {"petId": 5, "status": "placed", "complete": False}


# oauth: form-urlencoded bodies, a workflow step, JSONPath criteria


def test_oauth_flows(api_server: ScriptedServer) -> None:
    api_server.route(
        "GET", "/authorize", Reply(200, {"access_token": "t", "code": "c"})
    )
    api_server.route(
        "POST",
        "/oauth/token",
        Reply(200, {"access_token": "A", "refresh_token": "R", "expires_in": 60}),
    )

    runner = Runner.from_path(
        EXAMPLES / "oauth.arazzo.yaml", servers={"apim-auth": api_server.url}
    )
    inputs = {
        "my_client_id": "id",
        "my_client_secret": "sec",
        "my_redirect_uri": "https://client.test/cb",
    }

    result = runner.run("refresh-token-flow", inputs)
    assert result.status == "succeeded"
    assert result.outputs == {
        "access_token": "A",
        "refresh_token": "R",
        "expires_in": 60,
    }
    authorize, code_token, refresh = api_server.requests
    assert authorize.query["redirect_uri"] == ["https://client.test/cb"]
    assert code_token.headers["content-type"] == "application/x-www-form-urlencoded"
    assert code_token.body == (
        b"grant_type=authorization_code&code=c"
        b"&redirect_uri=https%3A%2F%2Fclient.test%2Fcb&client_id=id&client_secret=sec"
    )
    assert refresh.body == b"grant_type=refresh_token&refresh_token=R"


# FAPI-PAR: 'PAR' against the operationId 'Par'


def test_fapi_par_operation_id_case(api_server: ScriptedServer) -> None:
    with pytest.raises(ValidationError) as caught:
        Runner.from_path(EXAMPLES / "FAPI-PAR.arazzo.yaml")
    (message,) = diagnostics_of(caught.value)
    assert "source 'auth-api' has no operation with operationId 'PAR'" in message
    assert "did you mean Par?" in message


def test_fapi_par_corrected_runs(tmp_path: Path, api_server: ScriptedServer) -> None:
    shutil.copy(EXAMPLES / "FAPI-PAR.openapi.yaml", tmp_path)
    text = (EXAMPLES / "FAPI-PAR.arazzo.yaml").read_text()
    corrected = tmp_path / "FAPI-PAR.arazzo.yaml"
    corrected.write_text(text.replace("auth-api.PAR", "auth-api.Par"))
    api_server.route("POST", "/as/par.oauth2", Reply(200, {"request_uri": "urn:r:1"}))
    api_server.route(
        "GET", "/as/authorize.oauth2", Reply(302, {"code": "c1"}, {"Location": "/cb"})
    )
    api_server.route("POST", "/as/token.oauth2", Reply(200, {"access_token": "T"}))

    runner = Runner.from_path(corrected, servers={"auth-api": api_server.url})
    inputs: dict[str, Any] = {
        "client_id": "cid",
        "client_assertion": {"iss": "cid", "aud": "https://as"},
        "redirect_uri": "https://client.test/cb",
        "code_verifier": "v",
        "PARrequestBody": {"response_type": "code", "scope": "openid"},
        # Required by the inputs schema, though no step reads it.
        "TokenRequestBody": {
            "grant_type": "authorization_code",
            "code": "unused",
            "redirect_uri": "https://client.test/cb",
            "code_verifier": "v",
        },
    }

    result = runner.run(None, inputs)
    assert result.status == "succeeded", result.error
    assert result.outputs == {"access_token": {"access_token": "T"}}
    par, authorize, token = api_server.requests

    # client_assertion is declared with content: application/json.
    assert par.query["client_assertion"] == ['{"iss":"cid","aud":"https://as"}']

    # No contentType: the operation's only media type, application/json.
    assert par.headers["content-type"] == "application/json"
    assert par.json() == {"response_type": "code", "scope": "openid"}
    assert authorize.query["request_uri"] == ["urn:r:1"]
    assert token.json()["code"] == "c1"


# bnpl: a relative server, quoted objects in JSON text, undefined outputs

BNPL_INPUTS = {
    # Both the new-customer fields and an existing customer's uri: the oneOf
    # accepts it, because its first branch misplaces additionalProperties.
    "customer": {
        "firstName": "Ann",
        "lastName": "Lee",
        "dateOfBirth": "2000-01-01T00:00:00Z",
        "postalCode": "1000",
        "uri": "https://bnpl.test/customers/1",
    },
    "products": [
        {"productCode": "p1", "purchaseAmount": {"currency": "EUR", "amount": 10}}
    ],
}


def bnpl_routes(server: ScriptedServer, redirect_token: str | None) -> None:
    server.route(
        "POST",
        "/bnpl/v1/products",
        Reply(
            200,
            {
                "existingCustomerNotEligible": True,
                "eligibilityCheckRequired": True,
                "products": [{"productCode": "p1"}],
                "totalAmount": 10,
                # Under RFC 9535, `$[?count(@.products) > 0]` tests the members
                # of the body, not the body: this member makes it select one.
                "basket": {"products": [1]},
            },
        ),
    )
    server.route("GET", "/bnpl/v1/terms-and-conditions", Reply(200, {"text": "ok"}))
    server.route(
        "POST", "/bnpl/v1/customers", Reply(201, {"links": {"self": "/customers/2"}})
    )
    server.route(
        "POST",
        "/bnpl/v1/loan-transactions",
        Reply(202, {"redirectAuthToken": redirect_token, "links": {"self": "lt-1"}}),
    )


def bnpl(server: ScriptedServer) -> Runner:
    bnpl_routes(server, None)
    return Runner.from_path(
        EXAMPLES / "bnpl-arazzo.yaml",
        sources={"BnplApi": str(EXAMPLES / "bnpl-openapi.yaml")},
        servers={"BnplApi": server.url + "/bnpl/v1"},
    )


def test_bnpl_relative_server_needs_override() -> None:
    with pytest.raises(ValidationError) as caught:
        Runner.from_path(
            EXAMPLES / "bnpl-arazzo.yaml",
            sources={"BnplApi": str(EXAMPLES / "bnpl-openapi.yaml")},
        )
    messages = diagnostics_of(caught.value)
    assert any(
        "the server URL '/bnpl/v1' of source 'BnplApi' is relative" in m
        for m in messages
    )
    assert any("'.outputs' left out" in m for m in messages)


def test_bnpl_undefined_outputs_are_load_errors(api_server: ScriptedServer) -> None:
    with pytest.raises(ValidationError) as caught:
        bnpl(api_server)
    messages = diagnostics_of(caught.value)
    assert any(
        "'$steps.initiateBnplTransaction.outputs.loanTransactionId' reads output "
        "'loanTransactionId', which step 'initiateBnplTransaction' does not define" in m
        for m in messages
    )
    assert any(
        "'$steps.authenticateCustomerAndAuthorizeLoan.outputs.redirectAuthToken'" in m
        for m in messages
    )
    assert api_server.requests == []


def corrected_bnpl(folder: Path) -> Path:
    """Copy bnpl with its undefined output references fixed, other defects kept."""
    shutil.copy(EXAMPLES / "bnpl-openapi.yaml", folder)
    text = (EXAMPLES / "bnpl-arazzo.yaml").read_text()
    text = text.replace(
        "$steps.authenticateCustomerAndAuthorizeLoan.outputs.redirectAuthToken",
        "$steps.initiateBnplTransaction.outputs.redirectAuthToken",
    ).replace(
        "$steps.initiateBnplTransaction.outputs.loanTransactionId",
        "$steps.initiateBnplTransaction.outputs.loanTransactionResourceUrl",
    )
    path = folder / "bnpl-arazzo.yaml"
    path.write_text(text)
    return path


def test_bnpl_corrected_runs(tmp_path: Path, api_server: ScriptedServer) -> None:
    document = corrected_bnpl(tmp_path)
    bnpl_routes(api_server, "tok")
    api_server.route(
        "GET", "/bnpl/v1/auth", Reply(302, None, {"Location": "https://bnpl.test/ok"})
    )
    api_server.route("GET", "/bnpl/v1/loan-transactions/lt-1", Reply(200, {"plan": 1}))
    api_server.route("PATCH", "/bnpl/v1/loan-transactions/lt-1/status", Reply(204))

    runner = Runner.from_path(
        document,
        sources={"BnplApi": str(tmp_path / "bnpl-openapi.yaml")},
        servers={"BnplApi": api_server.url + "/bnpl/v1"},
    )

    result = runner.run(None, BNPL_INPUTS)
    assert result.status == "succeeded", result.error
    assert result.outputs == {"finalizedPaymentPlan": {"plan": 1}}

    # The quoted placeholders wrap objects in quotes: sent as written, with a
    # warning, because the author has to fix the template.
    first = api_server.requests[0]
    assert b'"customer": "{"firstName":"Ann"' in first.body
    assert any(
        "checkLoanCanBeProvided: the application/json payload is not valid JSON" in w
        for w in result.warnings
    )

    # The operation calls the parameter AuthorizationToken.
    assert any("'redirectAuthToken' is not declared" in w for w in result.warnings)
    assert [(r.method, r.path) for r in api_server.requests] == [
        ("POST", "/bnpl/v1/products"),
        ("GET", "/bnpl/v1/terms-and-conditions"),
        ("POST", "/bnpl/v1/customers"),
        ("POST", "/bnpl/v1/loan-transactions"),
        ("GET", "/bnpl/v1/auth"),
        ("GET", "/bnpl/v1/loan-transactions/lt-1"),
        ("PATCH", "/bnpl/v1/loan-transactions/lt-1/status"),
    ]
    assert api_server.requests[4].query == {"redirectAuthToken": ["tok"]}


# The two examples without published descriptions, against stand-ins


def test_login_and_retrieve_pets(tmp_path: Path, api_server: ScriptedServer) -> None:
    petstore = openapi(
        {
            "/user/login": {
                "get": {
                    "operationId": "loginUser",
                    "parameters": [
                        {"name": "username", "in": "query", "schema": {}},
                        {"name": "password", "in": "query", "schema": {}},
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            },
            "/pet/findByStatus": {
                "get": {
                    "operationId": "findPetsByStatus",
                    "parameters": [{"name": "status", "in": "query", "schema": {}}],
                    "responses": {"200": {"description": "ok"}},
                }
            },
        },
        version="3.0.2",
        servers=[{"url": "/api/v3"}],
    )
    stand_in = write(tmp_path, "petstore.yaml", petstore)
    api_server.route(
        "GET",
        "/api/v3/user/login",
        Reply(200, "session-123", {"X-Expires-After": "soon", "X-Rate-Limit": "5"}),
    )
    api_server.route("GET", "/api/v3/pet/findByStatus", Reply(200, [{"id": 1}]))

    runner = Runner.from_path(
        EXAMPLES / "LoginAndRetrievePets.arazzo.yaml",
        sources={"petStoreDescription": str(stand_in)},
        servers={"petStoreDescription": api_server.url + "/api/v3"},
    )
    assert any("points to a path item" in str(w) for w in runner.warnings)

    result = runner.run(None, {"username": "u", "password": "p"})
    assert result.status == "succeeded"
    assert result.outputs == {"available": [{"id": 1}]}
    pets = api_server.requests[1]
    assert pets.headers["authorization"] == "session-123"
    assert pets.query == {"status": ["available"]}


def test_extended_parameters_example(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    folder = tmp_path / "examples"
    folder.mkdir()
    shutil.copy(EXAMPLES / "ExtendedParametersExample.arazzo.yaml", folder)
    animals = openapi(
        {
            "/animals": {
                "post": {
                    "operationId": "postAnimal",
                    "responses": {"201": {"description": "created"}},
                }
            },
            "/animals/random": {
                "get": {
                    "operationId": "getRandomAnimal",
                    "responses": {"200": {"description": "ok"}},
                }
            },
        },
        servers=[{"url": api_server.url}],
    )
    document = folder / "ExtendedParametersExample.arazzo.yaml"
    with pytest.raises(ValidationError) as caught:
        Runner.from_path(document)
    assert any(
        "cannot read" in m and "animals.yaml" in m for m in diagnostics_of(caught.value)
    )
    write(folder, "animals.yaml", animals)
    api_server.route("POST", "/animals", Reply(201, {}))
    api_server.route("GET", "/animals/random", Reply(200, {"name": "owl"}))

    result = Runner.from_path(document).run()
    assert result.status == "succeeded"
    post, get = api_server.requests
    assert (
        post.headers["cookie"]
        == "workflowLevelParamOne=someValue; authentication=SUPER_SECRET"
    )
    assert post.headers["workflowlevelparamtwo"] == "someValue"
    assert get.headers["cookie"] == "workflowLevelParamOne=someValue"
