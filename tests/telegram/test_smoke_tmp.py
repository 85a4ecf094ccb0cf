from tests.telegram.helpers import RESERVED_QUESTION, sent

async def test_smoke(fake, feed):
    await feed(fake.user_says("/start"))
    await feed(fake.user_says(RESERVED_QUESTION))
    for m in sent(fake):
        print(m.text)
        print(m.reply_markup)
        print('-----')
    print([c.method for c in fake.calls])
