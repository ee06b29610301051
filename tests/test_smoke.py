def test_home_page_renders_in_korean(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="ko">' in response.content.decode()
